using System.Management.Automation;
using System.Security;

namespace VcsNative.Commands
{
    /// <summary>
    /// Connect-Vcd: logs in to a Cloud Director organization with a credential, a user and
    /// password, or an API token. `-Org System` logs in as the provider.
    /// </summary>
    [Cmdlet(VerbsCommunications.Connect, "Vcd", DefaultParameterSetName = CredentialSet)]
    [OutputType(typeof(VcdServer))]
    public sealed class ConnectVcdCommand : VcsCmdlet
    {
        private const string CredentialSet = "Credential";
        private const string UserSet = "User";
        private const string ApiTokenSet = "ApiToken";

        /// <summary>The address: a host name, host:port or URL.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [AllowEmptyString]
        public string Server { get; set; }

        [Parameter(Mandatory = true)]
        [Alias("Organization")]
        [ValidateNotNullOrEmpty]
        public string Org { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = CredentialSet)]
        [ValidateNotNull]
        [Credential]
        public PSCredential Credential { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = UserSet)]
        [ValidateNotNullOrEmpty]
        public string User { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = UserSet)]
        [SecureStringTransformation]
        [ValidateNotNull]
        public SecureString Password { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = ApiTokenSet)]
        [SecureStringTransformation]
        [ValidateNotNull]
        public SecureString ApiToken { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string ApiVersion { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string CaCertificatePath { get; set; }

        [Parameter]
        public SwitchParameter IgnoreSslValidationErrors { get; set; }

        [Parameter]
        public SwitchParameter NotDefault { get; set; }

        [Parameter]
        public SwitchParameter AllowInsecureHttp { get; set; }

        private readonly ConnectCall call = new ConnectCall();

        protected override void StopProcessing() => call.Stop();

        protected override void EndProcessing() => call.Run(this, Server, Connect);

        private void Connect()
        {
            RequestJson options = Connecting.Options(this, Server, CaCertificatePath, IgnoreSslValidationErrors, AllowInsecureHttp);
            options.String("org", Org).String("apiVersion", ApiVersion);
            switch (ParameterSetName)
            {
                case ApiTokenSet:
                    options.Secret("apiToken", ApiToken);
                    break;
                case UserSet:
                    options.String("username", User).Secret("password", Password);
                    break;
                default:
                    if (string.IsNullOrEmpty(Credential.UserName) || Credential.Password == null)
                    {
                        options.Dispose();
                        ThrowTerminatingError(LibraryError.Of("invalidArgument", "-Credential needs a user name and a password.").ToErrorRecord(Server));
                    }
                    // The SecureString itself: the password never becomes a managed string.
                    options.String("username", Credential.UserName).Secret("password", Credential.Password);
                    break;
            }

            // On a worker, so that Ctrl+C stops at once.
            var (handle, info) = call.Login<VcdConnectionHandle, VcdSessionInfo>(this, Server, options, NativeMethods.vcd_connect, WireJson.Default.VcdSessionInfo);
            // Logging in again as the same user to the same organization shares the session, as Connect-Vcs does.
            WriteObject(SharedSessions.Keep(this, new VcdServer(info, handle, isDefault: !NotDefault), Connections.Vcd, Connections.Add,
                (a, b) => a.OrgId == b.OrgId && a.UserId == b.UserId));
        }
    }
}
