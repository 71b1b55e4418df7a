using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace VcsNative
{
    /// <summary>
    /// Removals confirm what the library resolved: a dry run first (each pattern, name or object
    /// becomes the users it matches: wouldRemove, refused or failed, each with its target), one
    /// ShouldProcess per resolved user naming that user, then only the confirmed ids are sent.
    /// </summary>
    public abstract partial class VcsCmdlet
    {
        /// <summary>
        /// The request of a removal: <paramref name="ids"/> null for the inputs as given (the dry
        /// run), else the resolved ids to send.
        /// </summary>
        internal delegate RequestJson RemovalRequest(IReadOnlyList<string> ids, bool dryRun);

        /// <summary>
        /// Dry run, confirmation per resolved user, then the removal of those confirmed. Refused and
        /// failed items of the dry run are errors naming the user and the reason; nothing resolved
        /// or confirmed: nothing is sent. Returns the report of the removal (null when none ran).
        /// </summary>
        internal BulkReport<JsonElement> RemoveResolved<THandle>(NativeCall<THandle> call, THandle connection, RemovalRequest request,
            IEnumerable<object> items, string server, bool force, bool allowSelf, string action) where THandle : SafeHandle
        {
            BulkReport<JsonElement> plan;
            using (RequestJson dry = request(null, true))
            {
                if (!TryBulk(call, connection, dry, WireJson.Default.BulkReportJsonElement, items, out plan, server)) return null;
            }
            if (plan.Cancelled || Stopping)
            {
                // Stopped while resolving: nothing was removed; every item is reported not started.
                Succeeded(plan, server);
                return null;
            }
            var ids = new List<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (BulkItem<JsonElement> item in plan.Items ?? Array.Empty<BulkItem<JsonElement>>())
            {
                string id = item.Target?.Id ?? item.Id;
                // Cloud Director's dry run refuses the signed-in account even with allowSelf (the server
                // refuses it too); with -AllowSelf it is asked about and sent, and the server answers.
                bool selfAllowed = allowSelf && item.Outcome == "refused" && item.Error?.Field == "allowSelf";
                switch (selfAllowed ? "wouldRemove" : item.Outcome)
                {
                    case "wouldRemove":
                        if (id == null || !seen.Add(id)) continue;
                        if (ShouldRemove(force, item.Label, action)) ids.Add(id);
                        break;
                    case "duplicate":
                        break;
                    default:
                        if (!item.Ok) WriteItemError(ItemError(item, cancelled: false));
                        break;
                }
            }
            if (ids.Count == 0) return null;
            using RequestJson remove = request(ids, false);
            return TryBulk(call, connection, remove, WireJson.Default.BulkReportJsonElement, ids, out BulkReport<JsonElement> report, server) ? report : null;
        }
    }
}
