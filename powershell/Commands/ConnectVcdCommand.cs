using System;
using System.Linq;
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
        [ValidateNotNullOrEmpty]
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

        protected override void EndProcessing()
        {
            using var options = new RequestJson();
            options.String("server", Server).String("org", Org).String("apiVersion", ApiVersion)
                .Bool("insecureSkipTlsVerify", IgnoreSslValidationErrors.IsPresent)
                .String("caCertificate", Connecting.ReadCaCertificate(this, CaCertificatePath));
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
                        ThrowTerminatingError(LibraryError.Of("invalidArgument", "-Credential needs a user name and a password.").ToErrorRecord(Server));
                    }
                    // The SecureString itself: the password never becomes a managed string.
                    options.String("username", Credential.UserName).Secret("password", Credential.Password);
                    break;
            }

            VcsStatus status = NativeMethods.vcd_connect(options.ToBytes(), out IntPtr raw, out IntPtr json);
            var handle = status == VcsStatus.Ok ? new VcdConnectionHandle(raw) : null;
            VcdSessionInfo info = NativeAnswer.Read(status, json, WireJson.Default.VcdSessionInfo, out LibraryError error);
            if (error != null)
            {
                handle?.Dispose();
                ThrowTerminatingError(error.ToErrorRecord(Server));
            }

            // Logging in again as the same user to the same organization shares the session, as Connect-Vcs does.
            var session = new VcdServer(info, handle, isDefault: !NotDefault);
            VcdServer existing = Connections.Vcd.FirstOrDefault(s => s.IsConnected && s.IsDefault == session.IsDefault
                && s.ServiceUri == session.ServiceUri && s.OrgId == session.OrgId && s.UserId == session.UserId);
            if (existing != null)
            {
                handle.Dispose();
                existing.RefCount++;
                WriteObject(existing);
                return;
            }
            Connections.Vcd.Add(session);
            Connections.Publish(this);
            WriteObject(session);
        }
    }
}
