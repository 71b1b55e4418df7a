using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Text.Json;

namespace VcsNative
{
    /// <summary>
    /// What Sync-VcsUser and Sync-VcdUser share. The file's path goes to the library unchanged
    /// (resolved against the current location); the library plans, and the plan goes back to it
    /// as it came. -WhatIf writes the plan, one object per row; otherwise one ShouldProcess for
    /// the whole plan (as the CLI asks once), then one result per row, written as the library
    /// reports it. Invalid rows are errors by line and column, and such a plan is never applied.
    /// </summary>
    public abstract class SyncCmdlet : VcdCmdlet
    {
        /// <summary>The CSV file to make the organization match.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; }

        /// <summary>Also removes (and revokes) what the file does not list.</summary>
        [Parameter]
        public SwitchParameter Prune { get; set; }

        /// <summary>Lets -Prune remove the caller's own membership, the last owner or the signed-in account.</summary>
        [Parameter]
        public SwitchParameter AllowSelf { get; set; }

        /// <summary>Applies without asking, unless -Confirm is given.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>vcs_plan_sync / vcd_plan_sync, under a job (a long listing stops on Ctrl+C).</summary>
        private protected abstract JsonElement Plan(RequestJson request, out LibraryError error);
        /// <summary>vcs_apply_plan / vcd_apply_plan with {"plan"} (and the path for Cloud Director), through TryBulk.</summary>
        private protected abstract bool Apply(JsonElement plan, string path, IEnumerable<object> rows, out BulkReport<JsonElement> report);
        /// <summary>The library's removal, with allowSelf: for the rows the plan refused only because of who they are.</summary>
        private protected abstract bool RemoveAllowingSelf(IList<string> ids, IEnumerable<object> rows, out BulkReport<JsonElement> report);
        private protected abstract string ServerName { get; }

        protected override void EndProcessing()
        {
            string path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
            JsonElement raw;
            using (var request = new RequestJson().String("path", path).Bool("prune", Prune.IsPresent))
            {
                raw = Plan(request, out LibraryError error);
                if (error != null)
                {
                    if (error.Field != null && (error.Field == "path" || error.Field.StartsWith("csv"))) error.Message = "-Path " + Path + ": " + error.Message;
                    ThrowTerminatingError(error.ToErrorRecord(Path));
                }
            }
            PlanWire plan = raw.Deserialize(SyncJson.Default.PlanWire);
            PlanRowWire[] rows = plan.Rows ?? Array.Empty<PlanRowWire>();
            string org = plan.OrganizationName ?? plan.Organization;

            // Refused removals of who the caller is: with -AllowSelf, done by the library's removal.
            var self = rows.Where(r => r.Action == "refused" && r.RefusedAction == "remove" && r.Id != null).ToList();
            var forced = AllowSelf.IsPresent ? self : new List<PlanRowWire>();
            foreach (PlanRowWire r in rows.Where(r => r.Action == "invalid"))
            {
                WriteError(LibraryError.Of("invalidArgument", "Line " + r.Line + ", column " + (r.Field ?? "?") + ": " + r.Reason + " (" + r.Key + ")").ToErrorRecord(r.Key));
            }
            bool invalid = plan.Summary?.Invalid > 0 || rows.Any(r => r.Action == "invalid");

            if (WhatIfActive)
            {
                foreach (PlanRowWire r in rows) WriteObject(PlanRowOf(r, org, forced.Contains(r)));
                foreach (SyncPlanRow none in UnchangedRows(path, rows, org)) WriteObject(none);
                if ((plan.Summary?.Changes ?? 0) + forced.Count > 0) ShouldProcess(org + " on " + ServerName, Summary(plan, forced.Count));
                return;
            }
            if (invalid)
            {
                WriteWarning((plan.Summary?.Invalid ?? 0) + " row(s) of " + Path + " are invalid: nothing was applied.");
                return;
            }
            foreach (PlanRowWire r in rows.Where(r => r.Action == "refused").Except(forced)) WriteRefused(r);
            int changes = plan.Summary?.Changes ?? 0;
            if (changes == 0 && forced.Count == 0)
            {
                WriteVerbose("Nothing to change: " + org + " is as " + Path + " says.");
                return;
            }
            if (!ShouldRemove(Force, org + " on " + ServerName, Summary(plan, forced.Count))) return;
            if (changes > 0) ApplyPlan(raw, path, rows, org);
            if (forced.Count > 0) RemoveForced(forced, org);
        }

        private void ApplyPlan(JsonElement raw, string path, PlanRowWire[] rows, string org)
        {
            if (!Apply(raw, path, rows.Select(r => (object)r.Key), out BulkReport<JsonElement> report)) return;
            BulkItem<JsonElement>[] items = report.Items ?? Array.Empty<BulkItem<JsonElement>>();
            if (report.Cancelled || Stopping)
            {
                // Stopped: the pipeline takes no more output; each row's outcome is kept ($VcsStoppedReport, $Error).
                Succeeded(report, ServerName);
                return;
            }
            // One item per plan row, in plan order. Refused rows were reported before the apply.
            for (int i = 0; i < items.Length; i++)
            {
                PlanRowWire row = items.Length == rows.Length ? rows[i] : null;
                if (row?.Action == "refused" || items[i].Outcome == "refused") continue;
                WriteResult(row, items[i], org);
            }
        }

        private void RemoveForced(List<PlanRowWire> forced, string org)
        {
            if (!RemoveAllowingSelf(forced.Select(r => r.Id).ToList(), forced.Select(r => (object)r.Key), out BulkReport<JsonElement> report)) return;
            if (report.Cancelled || Stopping)
            {
                Succeeded(report, ServerName);
                return;
            }
            foreach (BulkItem<JsonElement> item in report.Items ?? Array.Empty<BulkItem<JsonElement>>())
            {
                string id = item.Id ?? item.Target?.Id;
                WriteResult(forced.FirstOrDefault(r => r.Id == id), item, org, "remove");
            }
        }

        private void WriteResult(PlanRowWire row, BulkItem<JsonElement> item, string org, string action = null)
        {
            int? line = row?.Line;
            string shown = SyncActions.Of(action ?? row?.RefusedAction ?? row?.Action);
            string user = row?.Key ?? item.Target?.Email ?? item.InputText;
            WriteObject(new SyncResult
            {
                Line = line,
                Action = shown,
                User = user,
                Id = item.Id ?? row?.Id,
                Outcome = item.Outcome,
                Ok = item.Ok,
                Message = item.Error?.Message ?? item.Message,
                Organization = org,
                Server = ServerName,
            });
            if (!item.Ok)
            {
                ErrorRecord e = ItemError(item, cancelled: false);
                string message = Where(line) + ": " + shown + " " + user + ": " + e.Exception.Message;
                WriteError(new ErrorRecord(new VcsException(LibraryError.Of(item.Error?.Category ?? item.Outcome, message)), e.FullyQualifiedErrorId, e.CategoryInfo.Category, user));
            }
        }

        /// <summary>A row the library never applies: the caller, the last owner. Removals name -AllowSelf.</summary>
        private void WriteRefused(PlanRowWire r)
        {
            string what = SyncActions.Of(r.RefusedAction ?? "refused");
            string hint = r.RefusedAction == "remove" ? "; pass -AllowSelf to remove it." : ".";
            var e = LibraryError.Of("conflict", Where(r.Line) + ": " + what + " " + r.Key + " was refused: " + r.Reason + hint);
            WriteError(new ErrorRecord(new VcsException(e), "Vcs.refused", ErrorCategory.PermissionDenied, r.Key));
        }

        private static string Where(int? line) => line.HasValue ? "Line " + line : "The organization";

        private SyncPlanRow PlanRowOf(PlanRowWire r, string org, bool forced) => new SyncPlanRow
        {
            Line = r.Line,
            Action = forced ? "Remove" : SyncActions.Of(r.Action),
            User = r.Key,
            Id = r.Id,
            Name = string.IsNullOrEmpty(r.Name) ? null : r.Name,
            Changes = r.Changes ?? Array.Empty<string>(),
            Column = r.Field,
            Reason = forced ? "removed with -AllowSelf: " + r.Reason : r.Reason,
            RefusedAction = SyncActions.Of(r.RefusedAction),
            Organization = org,
            Server = ServerName,
        };

        private static string Summary(PlanWire plan, int forced)
        {
            int changes = (plan.Summary?.Changes ?? 0) + forced;
            return "Apply " + changes + (changes == 1 ? " change" : " changes") + " (" + (plan.Summary?.Unchanged ?? 0) + " rows already as the file says)";
        }

        /// <summary>
        /// The file's rows the plan does not list: already as the file says (None). The library
        /// counts them (summary.unchanged) but lists only rows that change; their line and key are
        /// read from the file here, for display only.
        /// </summary>
        private IEnumerable<SyncPlanRow> UnchangedRows(string path, PlanRowWire[] rows, string org)
        {
            var listed = new HashSet<int>(rows.Where(r => r.Line.HasValue).Select(r => r.Line.Value));
            foreach (var (line, key) in SyncFileKeys.Read(path))
            {
                if (listed.Contains(line)) continue;
                yield return new SyncPlanRow { Line = line, Action = "None", User = key, Changes = Array.Empty<string>(), Organization = org, Server = ServerName };
            }
        }
    }
}
