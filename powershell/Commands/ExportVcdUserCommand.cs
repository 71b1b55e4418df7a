using System.IO;
using System.Management.Automation;
using VMware.CloudServices.Impl.V1.CmdletOutput;
using VMware.CloudServices.Types.V1;

namespace VcsNative.Commands
{
    /// <summary>
    /// Export-VcdUser: writes the organization's users as the sync file (Username, Password (empty),
    /// Role, FullName, Email, Enabled, ProviderType), byte for byte what `vcs vcd user list --csv`
    /// writes; edit it and give it to Sync-VcdUser.
    /// </summary>
    [Cmdlet(VerbsData.Export, "VcdUser", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(FileInfo))]
    public sealed class ExportVcdUserCommand : VcsCmdlet
    {
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; }

        [Parameter]
        [VcdServerTransformation]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VcdServerCompleter))]
        public VcdServer[] Server { get; set; }

        protected override void EndProcessing()
        {
            VcdServer server = OneTarget(VcdTargets(Server), Server);
            CsvExport.Export(this, Path, CsvExport.VcdHeader, "Export the users of " + server.Org + " on " + server.Name, server, csv =>
            {
                // Through the cursor, as Get-VcdUser: written as each page arrives, and Stop cancels.
                using var all = new RequestJson();
                int read = Listing.Read(NativeCursorMethods.vcd_get_users_open, server.Handle, all, VcdListing.ReadUser, csv.Add, "Export-VcdUser " + server.Name, out LibraryError error);
                return read < 0 ? error : null;
            });
        }
    }
}
