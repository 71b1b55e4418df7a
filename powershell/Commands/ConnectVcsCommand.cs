using System;
using System.Linq;
using System.Management.Automation;
using System.Security;
using VMware.CloudServices.Impl.V1.Authentication;
using VMware.CloudServices.Impl.V1.CmdletOutput;
using VMware.CloudServices.Types.V1;

namespace VcsNative.Commands
{
    /// <summary>Connect-Vcs: signs in to a CSP organization with an API token or an OAuth security context.</summary>
    [Cmdlet(VerbsCommunications.Connect, "Vcs", DefaultParameterSetName = ApiTokenSet)]
    [OutputType(typeof(IVcsServer), ParameterSetName = new[] { ApiTokenSet, OAuthSet })]
    [OutputType(typeof(PSObject), ParameterSetName = new[] { MenuSet })]
    public sealed class ConnectVcsCommand : VcsCmdlet
    {
        private const string ApiTokenSet = "ApiToken";
        private const string OAuthSet = "OAuthSecurityContext";
        private const string MenuSet = "Menu";

        [Parameter(ParameterSetName = ApiTokenSet)]
        [Parameter(ParameterSetName = OAuthSet)]
        [ValidateNotNullOrEmpty]
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

        [Parameter(Mandatory = true, ParameterSetName = MenuSet)]
        public SwitchParameter Menu { get; set; }

        protected override void EndProcessing()
        {
            if (ParameterSetName == MenuSet)
            {
                foreach (string saved in SavedTokens.Servers())
                {
                    var entry = new PSObject();
                    entry.Properties.Add(new PSNoteProperty("Server", saved));
                    WriteObject(entry);
                }
                return;
            }

            using var options = new RequestJson();
            string server;
            SecureString token = null;
            if (ParameterSetName == OAuthSet)
            {
                if (!(OAuthSecurityContext is VcsOAuthSecurityContextImpl context))
                {
                    ThrowTerminatingError(LibraryError.Of("invalidArgument", "-OAuthSecurityContext takes what New-VcsOAuthSecurityContext returns.").ToErrorRecord(OAuthSecurityContext));
                    return;
                }
                server = Server ?? context.VcsServer;
                options.String("server", server).Bool("insecureSkipTlsVerify", context.IgnoreSslValidationErrors);
                options.String("caCertificate", Connecting.ReadCaCertificate(this, CaCertificatePath) ?? context.CaCertificate);
                if (context.Type == VcsOAuthSecurityContextType.ApiToken) options.Secret("apiToken", context.Secret);
                else options.String("appId", context.AppId).Secret("appSecret", context.Secret).String("orgId", context.OrganizationId);
            }
            else
            {
                server = Server ?? Connecting.DefaultServer;
                token = ApiToken ?? SavedTokens.Find(this, server);
                if (token == null)
                {
                    ThrowTerminatingError(LibraryError.Of("authentication",
                        "No -ApiToken given and none saved for " + server + ": pass -ApiToken (and -SaveApiToken to keep it).").ToErrorRecord(server));
                }
                options.String("server", server).Secret("apiToken", token).Bool("insecureSkipTlsVerify", IgnoreSslValidationErrors.IsPresent);
                options.String("caCertificate", Connecting.ReadCaCertificate(this, CaCertificatePath));
            }

            VcsStatus status = NativeMethods.vcs_connect(options.ToBytes(), out IntPtr raw, out IntPtr json);
            var handle = status == VcsStatus.Ok ? new VcsConnectionHandle(raw) : null;
            ConnectionInfo info = NativeAnswer.Read(status, json, WireJson.Default.ConnectionInfo, out LibraryError error);
            if (error != null)
            {
                handle?.Dispose();
                ThrowTerminatingError(error.ToErrorRecord(server));
            }
            if (SaveApiToken) SavedTokens.Save(this, server, token);

            // PowerCLI counts connections to one server as one user and organization.
            var connection = new VcsServerImpl(info, handle, isDefault: !NotDefault);
            VcsServerImpl existing = Connections.Csp.FirstOrDefault(s => s.IsConnected && s.IsDefault == connection.IsDefault
                && s.ServiceUri == connection.ServiceUri && s.User == connection.User && s.OrganizationId == connection.OrganizationId);
            if (existing != null)
            {
                handle.Dispose();
                existing.RefCount++;
                WriteObject(existing);
                return;
            }
            Connections.Csp.Add(connection);
            Connections.Publish(this);
            WriteObject(connection);
        }
    }
}
