using System;
using System.Linq;
using System.Management.Automation;
using System.Security;
using System.Threading;

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

        private readonly CancellationTokenSource stop = new CancellationTokenSource();

        protected override void StopProcessing() => stop.Cancel();

        protected override void EndProcessing()
        {
            try
            {
                Connecting.Guard(this, Server, Connect);
            }
            finally
            {
                stop.Dispose();
            }
        }

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

            // On a worker, so that Ctrl+C stops at once; a session made after the stop is logged out there.
            (VcdConnectionHandle handle, VcdSessionInfo info, LibraryError error) = Connecting.Run(options, bytes =>
            {
                VcsStatus status = NativeMethods.vcd_connect(bytes, out VcdConnectionHandle h, out IntPtr json);
                h = Vcs.Kept(status, h);
                VcdSessionInfo i = NativeAnswer.Read(status, json, WireJson.Default.VcdSessionInfo, out LibraryError e);
                if (e != null) h?.Dispose();
                return (h, i, e);
            }, r => r.Item1?.Dispose(), stop.Token);
            if (error != null)
            {
                ThrowTerminatingError(Connecting.ToErrorRecord(error, "Server", Server));
            }

            // Logging in again as the same user to the same organization shares the session, as Connect-Vcs does.
            var session = new VcdServer(info, handle, isDefault: !NotDefault);
            VcdServer existing = Connections.Vcd.FirstOrDefault(s => s.IsConnected && s.IsDefault == session.IsDefault
                && s.ServiceUri == session.ServiceUri && s.OrgId == session.OrgId && s.UserId == session.UserId);
            if (existing != null)
            {
                // The second login is a session of its own: logged out on a worker, within the bound.
                handle.DisconnectWithin(Connecting.LogoutBound);
                existing.RefCount++;
                WriteObject(existing);
                return;
            }
            Connections.Add(session);
            Connections.Publish(this);
            WriteObject(session);
        }
    }
}
