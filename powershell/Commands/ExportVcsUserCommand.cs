using System.IO;
using System.Management.Automation;
using VMware.CloudServices.Impl.V1.CmdletOutput;
using VMware.CloudServices.Types.V1;

namespace VcsNative.Commands
{
    /// <summary>
    /// Export-VcsUser: writes the organization's members as the sync file (Email,
    /// OrganizationRoles, ServiceRoles), byte for byte what `vcs user list --csv` writes; edit it
    /// and give it to Sync-VcsUser.
    /// </summary>
    [Cmdlet(VerbsData.Export, "VcsUser", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(FileInfo))]
    public sealed class ExportVcsUserCommand : VcsCmdlet
    {
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; }

        [Parameter]
        [VcsServerTransformation]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VcsServerCompleter))]
        public IVcsServer[] Server { get; set; }

        protected override void EndProcessing()
        {
            VcsServerImpl server = OneTarget(CspTargets(Server), Server);
            CsvExport.Export(this, Path, CsvExport.CspHeader, "Export the users of " + server.Name, server, csv =>
            {
                // Through the cursor, as Get-VcsUser: written as each page arrives, and Stop cancels.
                using var all = new RequestJson();
                int read = Listing.Read(NativeCursorMethods.vcs_get_users_open, server.Handle, all, VcsUserImpl.Page, csv.Add, "Export-VcsUser " + server.Name, out LibraryError error);
                return read < 0 ? error : null;
            });
        }
    }
}
