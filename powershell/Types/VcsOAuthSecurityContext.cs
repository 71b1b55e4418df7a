using System.Security;
using VMware.CloudServices.Types.V1;

namespace VMware.CloudServices.Impl.V1.Authentication
{
    /// <summary>
    /// Credentials checked by New-VcsOAuthSecurityContext, for Connect-Vcs -OAuthSecurityContext.
    /// The secret stays a SecureString inside the object and is never shown.
    /// </summary>
    public sealed class VcsOAuthSecurityContextImpl : VcsOAuthSecurityContext
    {
        internal VcsOAuthSecurityContextImpl(string vcsServer, VcsOAuthSecurityContextType type, SecureString secret)
        {
            VcsServer = vcsServer;
            Type = type;
            Secret = secret;
        }

        public string VcsServer { get; }
        public VcsOAuthSecurityContextType Type { get; }
        public string ApiTokenPreview { get; internal set; }
        public string AppId { get; internal set; }
        public string OrganizationId { get; internal set; }
        public bool IgnoreSslValidationErrors { get; internal set; }

        /// <summary>The full path of the CA file (-CaCertificatePath) to trust besides the public roots, when one was given.</summary>
        internal string CaCertificate { get; set; }

        /// <summary>-AllowInsecureHttp of New-VcsOAuthSecurityContext, kept for Connect-Vcs.</summary>
        internal bool AllowInsecureHttp { get; set; }

        /// <summary>The API token or the app secret.</summary>
        internal SecureString Secret { get; }

        public override string ToString() => VcsServer + " (" + Type + ")";
    }
}

namespace VcsNative
{
    /// <summary>vcs_new_oauth_security_context's answer.</summary>
    internal sealed class OAuthContextInfo
    {
        public string VcsServer { get; set; }
        public string Type { get; set; }
        public string ApiTokenPreview { get; set; }
        public string AppId { get; set; }
        public string OrganizationId { get; set; }
    }
}
