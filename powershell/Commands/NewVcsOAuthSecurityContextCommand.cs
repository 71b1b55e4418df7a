using System;
using System.Management.Automation;
using System.Security;
using VMware.CloudServices.Impl.V1.Authentication;
using VMware.CloudServices.Types.V1;

namespace VcsNative.Commands
{
    /// <summary>New-VcsOAuthSecurityContext: checks an API token or a server-to-server OAuth app once, for Connect-Vcs.</summary>
    [Cmdlet(VerbsCommon.New, "VcsOAuthSecurityContext", DefaultParameterSetName = ApiTokenSet)]
    [OutputType(typeof(VcsOAuthSecurityContext))]
    public sealed class NewVcsOAuthSecurityContextCommand : VcsCmdlet
    {
        private const string ApiTokenSet = "ApiToken";
        private const string WebAppSet = "WebApp";
        private const string ServiceAppSet = "ServiceApp";

        [Parameter(Position = 0)]
        [AllowEmptyString]
        public string VcsServer { get; set; } = Connecting.DefaultServer;

        [Parameter(Mandatory = true, ParameterSetName = ApiTokenSet)]
        [Alias("RefreshToken")]
        [SecureStringTransformation]
        [ValidateNotNull]
        public SecureString ApiToken { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = WebAppSet)]
        [Parameter(Mandatory = true, ParameterSetName = ServiceAppSet)]
        [ValidateNotNullOrEmpty]
        public string AppId { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = WebAppSet)]
        [Parameter(Mandatory = true, ParameterSetName = ServiceAppSet)]
        [SecureStringTransformation]
        [ValidateNotNull]
        public SecureString AppSecret { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = WebAppSet)]
        [Parameter(Mandatory = true, ParameterSetName = ServiceAppSet)]
        [ValidateNotNullOrEmpty]
        public string OrganizationId { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = WebAppSet)]
        [ValidateNotNull]
        public Uri RedirectUrl { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string CaCertificatePath { get; set; }

        [Parameter]
        public SwitchParameter IgnoreSslValidationErrors { get; set; }

        [Parameter]
        public SwitchParameter AllowInsecureHttp { get; set; }

        protected override void EndProcessing() => Connecting.Guard(this, VcsServer, Create);

        private void Create()
        {
            if (ParameterSetName == WebAppSet)
            {
                ThrowTerminatingError(LibraryError.Of("invalidArgument",
                    "The browser (authorization code) flow is not supported: use a server-to-server OAuth app (omit -RedirectUrl) or an API token.").ToErrorRecord(RedirectUrl));
            }
            string ca = Connecting.FullPath(this, CaCertificatePath);
            using RequestJson options = Connecting.Options(this, VcsServer, ca, IgnoreSslValidationErrors, AllowInsecureHttp);
            SecureString secret;
            if (ParameterSetName == ApiTokenSet)
            {
                secret = ApiToken;
                options.Secret("apiToken", secret);
            }
            else
            {
                secret = AppSecret;
                options.String("appId", AppId).Secret("appSecret", secret).String("orgId", OrganizationId);
            }
            VcsStatus status = NativeMethods.vcs_new_oauth_security_context(options.ToBytes(), out IntPtr json);
            OAuthContextInfo info = NativeAnswer.Read(status, json, WireJson.Default.OAuthContextInfo, out LibraryError error);
            if (error != null) ThrowTerminatingError(Connecting.ToErrorRecord(error, "VcsServer", VcsServer));

            var type = ParameterSetName == ApiTokenSet ? VcsOAuthSecurityContextType.ApiToken : VcsOAuthSecurityContextType.Service;
            WriteObject(new VcsOAuthSecurityContextImpl(VcsServer, type, secret.Copy())
            {
                ApiTokenPreview = info.ApiTokenPreview,
                AppId = info.AppId,
                OrganizationId = info.OrganizationId,
                IgnoreSslValidationErrors = IgnoreSslValidationErrors,
                CaCertificate = ca,
                AllowInsecureHttp = AllowInsecureHttp,
            });
        }
    }
}
