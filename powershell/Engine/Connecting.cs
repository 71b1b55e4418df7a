using System;
using System.IO;
using System.Management.Automation;

namespace VcsNative
{
    /// <summary>What Connect-Vcs and New-VcsOAuthSecurityContext share: the connection options they send.</summary>
    internal static class Connecting
    {
        internal const string DefaultServer = "console.cloud.vmware.com";

        /// <summary>The PEM text of -CaCertificatePath; a missing or unreadable file is a clear terminating error.</summary>
        internal static string ReadCaCertificate(PSCmdlet cmdlet, string path)
        {
            if (string.IsNullOrEmpty(path)) return null;
            string full = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
            try
            {
                return File.ReadAllText(full);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(e, "Vcs.invalidArgument", ErrorCategory.ReadError, path));
                return null;
            }
        }
    }
}
