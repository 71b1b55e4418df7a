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
            server = OneTarget(VcdTargets(Server), Server);
            base.EndProcessing();
        }

        private protected override string ServerName => server.Name;
        private protected override JsonElement Plan(RequestJson request, out LibraryError error) =>
            JobRun.Run(this, SyncNativeMethods.vcd_plan_sync, server.Handle, request, SyncJson.Default.JsonElement, MyInvocation.MyCommand.Name + ": plan on " + server.Name, out error);

        private protected override bool Apply(JsonElement plan, string path, IEnumerable<object> rows, out BulkReport<JsonElement> report)
        {
            using var request = new RequestJson();
            request.Writer.WritePropertyName("plan");
            plan.WriteTo(request.Writer);
            // The same file again: new LOCAL users' passwords come from it (checked against the plan's digest).
            request.String("path", path);
            return TryBulk(SyncNativeMethods.vcd_apply_plan, server.Handle, request, WireJson.Default.BulkReportJsonElement, rows, out report, server.Name);
        }

        private protected override bool RemoveAllowingSelf(IList<string> ids, IEnumerable<object> rows, out BulkReport<JsonElement> report)
        {
            using var request = new RequestJson().Strings("users", ids).Bool("allowSelf", true);
            return TryBulk(NativeMethods.vcd_remove_users, server.Handle, request, WireJson.Default.BulkReportJsonElement, rows, out report, server.Name);
        }
    }
}
