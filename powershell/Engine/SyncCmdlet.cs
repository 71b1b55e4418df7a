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
        private readonly JobCall running = new JobCall();

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

        internal JobCall Running => running;

        private protected abstract JsonElement Plan(RequestJson request, out LibraryError error);
        private protected abstract ItemReport Apply(JsonElement plan, string path, Action<ReportItem, JobProgress> onItem, out LibraryError error);
        /// <summary>The library's removal, with allowSelf: for the rows the plan refused only because of who they are.</summary>
        private protected abstract ItemReport RemoveAllowingSelf(IList<string> ids, out LibraryError error);
        private protected abstract string ServerName { get; }
        private protected abstract object ServerObject { get; }

        protected override void StopProcessing() => running.Stop();

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
            foreach (PlanRowWire r in self.Except(forced)) WriteRefused(r);
            int changes = plan.Summary?.Changes ?? 0;
            if (changes == 0 && forced.Count == 0)
            {
                WriteVerbose("Nothing to change: " + org + " is as " + Path + " says.");
                return;
            }
            if (!ShouldProcess(org + " on " + ServerName, Summary(plan, forced.Count))) return;
            if (changes > 0) ApplyPlan(raw, path, rows, org);
            if (forced.Count > 0) RemoveForced(forced, org);
        }

        private void ApplyPlan(JsonElement raw, string path, PlanRowWire[] rows, string org)
        {
            var written = new WrittenItems();
            var rowOf = new RowFinder(rows);
            ItemReport report = Apply(raw, path, (item, progress) =>
            {
                if (item == null) return;
                PlanRowWire row = rowOf.Find(item);
                // Refused rows are reported after the apply, with their own error.
                if (row?.Action == "refused") return;
                written.Add(item);
                WriteResult(row, item, org);
            }, out LibraryError error);
            if (error != null) ThrowTerminatingError(error.ToErrorRecord(Path));
            foreach (ReportItem item in report.Items ?? Array.Empty<ReportItem>())
            {
                if (item.Outcome == "refused") continue;
                if (!written.Take(item)) WriteResult(null, item, org);
            }
        }

        private void RemoveForced(List<PlanRowWire> forced, string org)
        {
            ItemReport report = RemoveAllowingSelf(forced.Select(r => r.Id).ToList(), out LibraryError error);
            if (error != null)
            {
                foreach (PlanRowWire r in forced) WriteError(error.ToErrorRecord(r.Key));
                return;
            }
            var rowOf = new RowFinder(forced.ToArray());
            foreach (ReportItem item in report.Items ?? Array.Empty<ReportItem>())
            {
                PlanRowWire row = rowOf.Find(item);
                item.Line = row?.Line;
                item.Action = "remove";
                if (row != null) item.Input = row.Key;
                WriteResult(row, item, org);
            }
        }

        private void WriteResult(PlanRowWire row, ReportItem item, string org)
        {
            int? line = item.Line ?? row?.Line;
            string action = SyncActions.Of(item.Action ?? row?.RefusedAction ?? row?.Action);
            string user = row?.Key ?? item.Input;
            WriteObject(new SyncResult
            {
                Line = line,
                Action = action,
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
                LibraryError e = item.Error ?? LibraryError.Of("internal", "The row was not applied (" + item.Outcome + ").");
                e.Message = Where(line) + ": " + action + " " + user + ": " + AllowSelfNamed(e.Message);
                WriteError(e.ToErrorRecord(user));
            }
        }

        private void WriteRefused(PlanRowWire r)
        {
            string message = Where(r.Line) + ": remove " + r.Key + " was refused: " + r.Reason + "; pass -AllowSelf to remove it.";
            WriteError(new ErrorRecord(new VcsException(LibraryError.Of("conflict", message) ), "Vcs.refused", ErrorCategory.PermissionDenied, r.Key));
        }

        private static string Where(int? line) => line.HasValue ? "Line " + line : "The organization";

        /// <summary>The library names the CLI's flag; a script sees the parameter.</summary>
        private static string AllowSelfNamed(string message) =>
            (message ?? "").Replace("allowSelf (--allow-self)", "-AllowSelf").Replace("--allow-self", "-AllowSelf");

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

        /// <summary>Finds the plan row of a report item: by id, else by key.</summary>
        private sealed class RowFinder
        {
            private readonly Dictionary<string, Queue<PlanRowWire>> byId = new Dictionary<string, Queue<PlanRowWire>>();
            private readonly Dictionary<string, Queue<PlanRowWire>> byKey = new Dictionary<string, Queue<PlanRowWire>>(StringComparer.OrdinalIgnoreCase);

            internal RowFinder(PlanRowWire[] rows)
            {
                foreach (PlanRowWire r in rows)
                {
                    if (r.Id != null) Enqueue(byId, r.Id, r);
                    if (r.Key != null) Enqueue(byKey, r.Key, r);
                }
            }

            private static void Enqueue(Dictionary<string, Queue<PlanRowWire>> d, string k, PlanRowWire r)
            {
                if (!d.TryGetValue(k, out var q)) d[k] = q = new Queue<PlanRowWire>();
                q.Enqueue(r);
            }

            internal PlanRowWire Find(ReportItem item)
            {
                if (item.Id != null && byId.TryGetValue(item.Id, out var q) && q.Count > 0) return q.Dequeue();
                if (item.Input != null && byKey.TryGetValue(item.Input, out q) && q.Count > 0) return q.Dequeue();
                string email = item.Target?.Email ?? item.Target?.Username;
                if (email != null && byKey.TryGetValue(email, out q) && q.Count > 0) return q.Dequeue();
                return null;
            }
        }
    }
}
