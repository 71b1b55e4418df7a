using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Management.Automation.Host;
using System.Management.Automation;
using System.Security;
using VMware.CloudServices.Impl.V1.Authentication;
using VMware.CloudServices.Impl.V1.CmdletOutput;
using VMware.CloudServices.Types.V1;

namespace VcsNative.Commands
{
    /// <summary>Connect-Vcs: signs in to a CSP organization with an API token or an OAuth security context.</summary>
    [Cmdlet(VerbsCommunications.Connect, "Vcs", DefaultParameterSetName = ApiTokenSet)]
    [OutputType(typeof(IVcsServer))]
    public sealed class ConnectVcsCommand : VcsCmdlet
    {
        private const string ApiTokenSet = "ApiToken";
        private const string OAuthSet = "OAuthSecurityContext";
        private const string MenuSet = "Menu";

        [Parameter(ParameterSetName = ApiTokenSet)]
        [Parameter(ParameterSetName = OAuthSet)]
        public string Server { get; set; }

        [Parameter(ParameterSetName = ApiTokenSet)]
        [Alias("RefreshToken")]
        [SecureStringTransformation]
        [ValidateNotNull]
        public SecureString ApiToken { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = OAuthSet)]
        [ValidateNotNull]
        public VcsOAuthSecurityContext OAuthSecurityContext { get; set; }

        [Parameter(ParameterSetName = ApiTokenSet)]
        [Parameter(ParameterSetName = OAuthSet)]
        public SwitchParameter NotDefault { get; set; }

        [Parameter(ParameterSetName = ApiTokenSet)]
        public SwitchParameter SaveApiToken { get; set; }

        [Parameter(ParameterSetName = ApiTokenSet)]
        [Parameter(ParameterSetName = OAuthSet)]
        [ValidateNotNullOrEmpty]
        public string CaCertificatePath { get; set; }

        [Parameter(ParameterSetName = ApiTokenSet)]
        public SwitchParameter IgnoreSslValidationErrors { get; set; }

        [Parameter(ParameterSetName = ApiTokenSet)]
        [Parameter(ParameterSetName = OAuthSet)]
        public SwitchParameter AllowInsecureHttp { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = MenuSet)]
        public SwitchParameter Menu { get; set; }

        private readonly ConnectCall call = new ConnectCall();

        protected override void StopProcessing() => call.Stop();

        protected override void EndProcessing() => call.Run(this, Server, Connect);

        private void Connect()
        {
            string server;
            SecureString token = null;
            bool fromStore = false;
            RequestJson options;
            if (ParameterSetName == MenuSet)
            {
                server = PickSavedServer();
                token = FindSaved(server);
                options = Connecting.Options(this, server, null, false, false);
                options.Secret("apiToken", token);
            }
            else if (ParameterSetName == OAuthSet)
            {
                if (!(OAuthSecurityContext is VcsOAuthSecurityContextImpl context))
                {
                    ThrowTerminatingError(LibraryError.Of("invalidArgument", "-OAuthSecurityContext takes what New-VcsOAuthSecurityContext returns.").ToErrorRecord(OAuthSecurityContext));
                    return;
                }
                server = Server ?? context.VcsServer;
                // The context keeps the full path of its -CaCertificatePath, for the library to read.
                options = Connecting.Options(this, server, CaCertificatePath ?? context.CaCertificate, context.IgnoreSslValidationErrors, AllowInsecureHttp || context.AllowInsecureHttp);
                if (context.Type == VcsOAuthSecurityContextType.ApiToken) options.Secret("apiToken", context.Secret);
                else options.String("appId", context.AppId).Secret("appSecret", context.Secret).String("orgId", context.OrganizationId);
            }
            else
            {
                server = Server ?? Connecting.DefaultServer;
                token = ApiToken;
                if (token == null && !string.IsNullOrWhiteSpace(server))
                {
                    token = FindSaved(server);
                    fromStore = token != null;
                }
                if (token == null && !string.IsNullOrWhiteSpace(server))
                {
                    ThrowTerminatingError(LibraryError.Of("authentication",
                        "No -ApiToken given and none saved for " + server + ": pass -ApiToken (and -SaveApiToken to keep it).").ToErrorRecord(server));
                }
                options = Connecting.Options(this, server, CaCertificatePath, IgnoreSslValidationErrors, AllowInsecureHttp);
                options.Secret("apiToken", token);
            }

            // On a worker, so that Ctrl+C stops at once.
            var (handle, info) = call.Login<VcsConnectionHandle, ConnectionInfo>(this, server, options, NativeMethods.vcs_connect, WireJson.Default.ConnectionInfo);
            // PowerCLI counts connections to one server as one user and organization.
            VcsServerImpl connection = SharedSessions.Keep(this, new VcsServerImpl(info, handle, isDefault: !NotDefault), Connections.Csp, Connections.Add,
                (a, b) => a.User == b.User && a.OrganizationId == b.OrganizationId);
            // Saved after the connection is published: a store that refuses it costs a warning, never the connection.
            if (SaveApiToken && token != null && !fromStore && !SavedTokens.Save(this, server, token, out LibraryError saveError))
            {
                WriteWarning("Connected, but the API token was not saved: " + saveError.Message);
                WriteError(saveError.ToErrorRecord(SavedTokens.FilePath));
            }
            WriteObject(connection);
        }

        private SecureString FindSaved(string server)
        {
            SecureString saved = SavedTokens.Find(this, server, out LibraryError error);
            if (error != null) ThrowTerminatingError(error.ToErrorRecord(SavedTokens.FilePath));
            return saved;
        }

        /// <summary>-Menu: the servers with a saved token, one picked through the host's UI.</summary>
        private string PickSavedServer()
        {
            IReadOnlyList<string> servers = SavedTokens.Servers(out LibraryError error);
            if (error != null) ThrowTerminatingError(error.ToErrorRecord(SavedTokens.FilePath));
            if (servers.Count == 0)
            {
                ThrowTerminatingError(LibraryError.Of("notFound", "No API token is saved (" + SavedTokens.FilePath + "): connect once with -ApiToken and -SaveApiToken.").ToErrorRecord(SavedTokens.FilePath));
            }
            var choices = new Collection<ChoiceDescription>();
            for (int i = 0; i < servers.Count; i++) choices.Add(new ChoiceDescription("&" + (i + 1) + " " + servers[i], servers[i]));
            try
            {
                int picked = Host?.UI == null ? -1 : Host.UI.PromptForChoice("Connect-Vcs", "Connect to which saved server?", choices, 0);
                if (picked >= 0 && picked < servers.Count) return servers[picked];
            }
            catch (Exception e) when (e is HostException || e is NotImplementedException || e is NotSupportedException || e is PSInvalidOperationException || e is InvalidOperationException)
            {
                // Handled below: no UI to ask with.
            }
            ThrowTerminatingError(LibraryError.Of("invalidArgument",
                "Connect-Vcs -Menu needs an interactive host to pick a server; saved: " + string.Join(", ", servers) + ". Pass -Server instead.").ToErrorRecord(null));
            return null;
        }
    }
}
