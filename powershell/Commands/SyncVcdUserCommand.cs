using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Text.Json;

namespace VcsNative.Commands
{
    /// <summary>
    /// Sync-VcdUser: makes the Cloud Director organization match a file (the New-VcdUser columns;
    /// Export-VcdUser writes one): creates and updates users, and with -Prune removes those the
    /// file does not list. Passwords of new LOCAL users come from the file at apply time.
    /// </summary>
    [Cmdlet(VerbsData.Sync, "VcdUser", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(SyncResult), typeof(SyncPlanRow))]
    public sealed class SyncVcdUserCommand : SyncCmdlet
    {
        private VcdServer server;

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
                ThrowTerminatingError(LibraryError.Of("invalidArgument", "-Server: a file describes one organization; name one of the " + targets.Count + " sessions.").ToErrorRecord(Server));
            }
            server = targets[0];
            base.EndProcessing();
        }

        private protected override string ServerName => server.Name;
        private protected override object ServerObject => server;

        private protected override JsonElement Plan(RequestJson request, out LibraryError error) =>
            Running.Run(SyncNativeMethods.vcd_plan_sync, server.Handle, request, SyncJson.Default.JsonElement, (i, p) => { }, out error);

        private protected override ItemReport Apply(JsonElement plan, string path, Action<ReportItem, JobProgress> onItem, out LibraryError error)
        {
            // The same file again: new LOCAL users' passwords come from it (checked against the plan's digest).
            using var request = new RequestJson();
            request.Writer.WritePropertyName("plan");
            plan.WriteTo(request.Writer);
            request.String("path", path);
            return Running.Run(SyncNativeMethods.vcd_apply_plan, server.Handle, request, SyncJson.Default.ItemReport, onItem, out error);
        }

        private protected override ItemReport RemoveAllowingSelf(IList<string> ids, out LibraryError error)
        {
            using var request = new RequestJson().Strings("users", ids).Bool("allowSelf", true);
            return Running.Run(NativeMethods.vcd_remove_users, server.Handle, request, SyncJson.Default.ItemReport, (i, p) => { }, out error);
        }
    }
}
