using System;
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
            var targets = CspTargets(Server);
            if (targets.Count > 1)
            {
                ThrowTerminatingError(LibraryError.Of("invalidArgument", "-Server: a file holds one organization; name one of the " + targets.Count + " connections.").ToErrorRecord(Server));
            }
            VcsServerImpl server = targets[0];
            string path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
            if (!ShouldProcess(path, "Export the users of " + server.Name)) return;
            string partial = path + ".partial";
            try
            {
                using (var csv = new CsvExport(partial, CsvExport.CspHeader))
                {
                    using var query = new RequestJson();
                    VcsStatus status = NativeMethods.vcs_get_users(server.Handle, query.ToBytes(), out IntPtr json);
                    NativeAnswer.ReadEach(status, json, VcsUserImpl.Read, csv.Add, out LibraryError error);
                    if (error != null) ThrowTerminatingError(error.ToErrorRecord(server));
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
