using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace VcsNative
{
    /// <summary>
    /// The request of a command that confirms what the library resolved: <paramref name="ids"/>
    /// null for the inputs as given (the dry run), else the confirmed ids to send.
    /// </summary>
    internal delegate RequestJson ResolvedRequest(IReadOnlyList<string> ids, bool dryRun);

    /// <summary>What differs between the commands that confirm what the library resolved (removals, Set-VcsUser).</summary>
    internal sealed class Confirmation
    {
        /// <summary>The dry run's outcome that is asked about: wouldRemove, wouldUpdate.</summary>
        internal string Outcome { get; init; }

        /// <summary>Another item that is asked about all the same (Remove-VcdUser -AllowSelf: the signed-in account).</summary>
        internal Func<BulkItem<JsonElement>, bool> AskAnyway { get; init; }

        /// <summary>What the question names, given the item and its id: the resolved user, never the pattern typed.</summary>
        internal Func<BulkItem<JsonElement>, string, string> Target { get; init; }

        /// <summary>The question's action ("Remove user", "Change roles: ...").</summary>
        internal Func<BulkItem<JsonElement>, string> Action { get; init; }

        /// <summary>-Force: no question unless -Confirm (see <see cref="VcsCmdlet.ShouldRemove"/>); -WhatIf still reports.</summary>
        internal bool Force { get; init; }

        /// <summary>An ok dry-run item of another outcome (unchanged, duplicate, ...); null: nothing is said.</summary>
        internal Action<BulkItem<JsonElement>> Other { get; init; }

        /// <summary>How a dry run that fails as a whole names the request field (Set-VcsUser: its parameters); null: as it is.</summary>
        internal Func<LibraryError, LibraryError> Translate { get; init; }

        /// <summary>Each item the real call did.</summary>
        internal Action<BulkItem<JsonElement>> Done { get; init; }
    }

    public abstract partial class VcsCmdlet
    {
        /// <summary>
        /// Dry run (the library resolves each pattern, name or object into users and says what would
        /// happen to each), one question per resolved user naming that user (each id once), then
        /// the real call with the confirmed ids only, and its report. Refused and failed dry-run
        /// items are errors naming the user; a dry run that fails as a whole is one error per input
        /// (<paramref name="items"/>: their error targets); a stop while resolving sends nothing and
        /// reports every input not started. Nothing resolved or confirmed: nothing is sent.
        /// </summary>
        internal void ConfirmResolved<THandle>(NativeCall<THandle> call, THandle connection, ResolvedRequest request,
            IEnumerable<object> items, string server, Confirmation how) where THandle : SafeHandle
        {
            BulkReport<JsonElement> plan;
            using (RequestJson dry = request(null, true))
            {
                string activity = MyInvocation.MyCommand.Name + ": resolve on " + server;
                if (!TryBulk(call, connection, dry, WireJson.Default.BulkReportJsonElement, items, out plan, server, how.Translate, activity, dryRun: true)) return;
            }
            if (plan.Cancelled || Stopping)
            {
                // Stopped while resolving: nothing was sent; every item is reported.
                Succeeded(plan, server);
                return;
            }
            var ids = new List<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (BulkItem<JsonElement> item in plan.Items ?? Array.Empty<BulkItem<JsonElement>>())
            {
                string id = item.Target?.Id ?? item.Id;
                if (item.Outcome == how.Outcome || how.AskAnyway?.Invoke(item) == true)
                {
                    // A user named twice (two patterns, or a pattern and its name) is asked about once.
                    if (id == null || !seen.Add(id)) continue;
                    if (ShouldRemove(how.Force, how.Target(item, id), how.Action(item))) ids.Add(id);
                }
                else if (!item.Ok) WriteItemError(ItemError(item, cancelled: false));
                else how.Other?.Invoke(item);
            }
            if (ids.Count == 0) return;
            using RequestJson send = request(ids, false);
            if (!TryBulk(call, connection, send, WireJson.Default.BulkReportJsonElement, ids, out BulkReport<JsonElement> report, server)) return;
            foreach (BulkItem<JsonElement> item in Succeeded(report, server)) how.Done?.Invoke(item);
        }
    }
}
