using System;
using System.Collections;
using System.Management.Automation;
using System.Security;

namespace VcsNative.Commands
{
    /// <summary>
    /// Connect-CIServer: PowerCLI's (VMware.VimAutomation.Cloud) login to Cloud Director, with its
    /// parameters, over Connect-Vcd. Without -Org the organization comes from a user written
    /// user@org, else it is System (the provider), as PowerCLI does.
    /// </summary>
    [Cmdlet(VerbsCommunications.Connect, "CIServer", DefaultParameterSetName = UserSet)]
    [OutputType(typeof(VcdServer))]
    public sealed class ConnectCIServerCommand : VcsCmdlet
    {
        private const string UserSet = "User";
        private const string CredentialSet = "Credential";
        private const string ApiTokenSet = "ApiToken";

        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string[] Server { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Org { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = UserSet)]
        [ValidateNotNullOrEmpty]
        public string User { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = UserSet)]
        [SecureStringTransformation]
        [ValidateNotNull]
        public SecureString Password { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = CredentialSet)]
        [ValidateNotNull]
        [Credential]
        public PSCredential Credential { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = ApiTokenSet)]
        [SecureStringTransformation]
        [ValidateNotNull]
        public SecureString ApiToken { get; set; }

        [Parameter]
        [ValidateRange(1, 65535)]
        public int Port { get; set; }

        [Parameter]
        public SwitchParameter NotDefault { get; set; }

        protected override void EndProcessing()
        {
            string user = ParameterSetName == CredentialSet ? Credential.UserName : User;
            string org = Org;
            if (org == null && user != null && user.LastIndexOf('@') is int at && at > 0 && at < user.Length - 1)
            {
                // PowerCLI's user@org form: the org is the part after the last '@'.
                org = user.Substring(at + 1);
                user = user.Substring(0, at);
            }
            org ??= "System";

            foreach (string server in Server)
            {
                var args = new Hashtable { ["Server"] = WithPort(server), ["Org"] = org };
                switch (ParameterSetName)
                {
                    case ApiTokenSet: args["ApiToken"] = ApiToken; break;
                    case CredentialSet: args["Credential"] = new PSCredential(user, Credential.Password); break;
                    default: args["User"] = user; args["Password"] = Password; break;
                }
                if (NotDefault) args["NotDefault"] = true;
                Forwarding.Run<ConnectVcdCommand>(this, "Connect-Vcd", args);
            }
        }

        /// <summary>-Port on a host name, host:port or URL; a port already in the address is replaced.</summary>
        private string WithPort(string server)
        {
            if (!MyInvocation.BoundParameters.ContainsKey(nameof(Port))) return server;
            string text = server.Trim();
            bool hasScheme = text.Contains("://", StringComparison.Ordinal);
            if (!Uri.TryCreate(hasScheme ? text : "https://" + text, UriKind.Absolute, out Uri uri))
            {
                ThrowTerminatingError(LibraryError.Of("invalidArgument", "-Server: '" + server + "' is not a host name, host:port or URL.").ToErrorRecord(server));
            }
            var builder = new UriBuilder(uri) { Port = Port };
            return hasScheme ? builder.Uri.AbsoluteUri.TrimEnd('/') : builder.Host + ":" + Port;
        }
    }
}
