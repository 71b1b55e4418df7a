using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Text.Json;
using VMware.CloudServices.Impl.V1.CmdletOutput;
using VMware.CloudServices.Types.V1;

namespace VcsNative.Commands
{
    /// <summary>
    /// Sync-VcsUser: makes the CSP organization match a file (Email, OrganizationRoles,
    /// ServiceRoles; Export-VcsUser writes one): invites, changes roles, and with -Prune removes
    /// members and revokes invitations the file does not list.
    /// </summary>
    [Cmdlet(VerbsData.Sync, "VcsUser", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(SyncResult), typeof(SyncPlanRow))]
    public sealed class SyncVcsUserCommand : SyncCmdlet
    {
        private VcsServerImpl server;

        [Parameter]
        [VcsServerTransformation]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VcsServerCompleter))]
        public IVcsServer[] Server { get; set; }

        protected override void EndProcessing()
        {
            server = OneTarget(CspTargets(Server), Server);
            base.EndProcessing();
        }

        private protected override string ServerName => server.Name;
        private protected override JsonElement Plan(RequestJson request, out LibraryError error) =>
            JobRun.Run(this, SyncNativeMethods.vcs_plan_sync, server.Handle, request, SyncJson.Default.JsonElement, MyInvocation.MyCommand.Name + ": plan on " + server.Name, out error);

        private protected override bool Apply(JsonElement plan, string path, IEnumerable<object> rows, out BulkReport<JsonElement> report)
        {
            using var request = new RequestJson();
            request.Writer.WritePropertyName("plan");
            plan.WriteTo(request.Writer);
            return TryBulk(SyncNativeMethods.vcs_apply_plan, server.Handle, request, WireJson.Default.BulkReportJsonElement, rows, out report, server.Name);
        }

        private protected override bool RemoveAllowingSelf(IList<string> ids, IEnumerable<object> rows, out BulkReport<JsonElement> report)
        {
            using var request = new RequestJson().Strings("users", ids).Bool("allowSelf", true);
            return TryBulk(NativeMethods.vcs_remove_users, server.Handle, request, WireJson.Default.BulkReportJsonElement, rows, out report, server.Name);
        }
    }
}
