using System;
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
            var targets = VcdTargets(Server);
            if (targets.Count > 1)
            {
                ThrowTerminatingError(LibraryError.Of("invalidArgument", "-Server: a file holds one organization; name one of the " + targets.Count + " connections.").ToErrorRecord(Server));
            }
            VcdServer server = targets[0];
            string path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
            if (!ShouldProcess(path, "Export the users of " + server.Org + " on " + server.Name)) return;
            string partial = path + ".partial";
            try
            {
                using (var csv = new CsvExport(partial, CsvExport.VcdHeader))
                {
                    using var query = new RequestJson();
                    VcdUser[] users = Call(NativeMethods.vcd_get_users, server.Handle, query, VcdJson.Default.VcdUserArray, server);
                    foreach (VcdUser u in users) csv.Add(u);
                    WriteVerbose(csv.Count + " users written to " + path);
                }
                // Whole or not at all: a failed listing leaves an earlier file as it was.
                File.Move(partial, path, true);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                var error = new IOException("-Path " + Path + ": " + e.Message, e);
                ThrowTerminatingError(new ErrorRecord(error, "Vcs.invalidArgument", ErrorCategory.WriteError, path));
            }
            finally
            {
                if (File.Exists(partial)) File.Delete(partial);
            }
            WriteObject(new FileInfo(path));
        }
    }
}
