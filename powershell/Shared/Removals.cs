using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace VcsNative
{
    /// <summary>
    /// Removals confirm what the library resolved (<see cref="VcsCmdlet.ConfirmResolved"/>): each
    /// wouldRemove user is asked about by name, -Force skips the question, and only the confirmed
    /// ids are sent.
    /// </summary>
    public abstract partial class VcsCmdlet
    {
        /// <summary>
        /// Dry run, confirmation per resolved user (<paramref name="action"/> on "the user"), then
        /// the removal of those confirmed; <paramref name="done"/> gets each user removed. Refused
        /// and failed items of the dry run are errors naming the user and the reason.
        /// </summary>
        internal void RemoveResolved<THandle>(NativeCall<THandle> call, THandle connection, ResolvedRequest request,
            IEnumerable<object> items, string server, bool force, bool allowSelf, string action, Action<BulkItem<JsonElement>> done) where THandle : SafeHandle
        {
            ConfirmResolved(call, connection, request, items, server, new Confirmation
            {
                Outcome = "wouldRemove",
                // Cloud Director's dry run refuses the signed-in account even with allowSelf (the server
                // refuses it too); with -AllowSelf it is asked about and sent, and the server answers.
                AskAnyway = allowSelf ? item => item.Outcome == "refused" && item.Error?.Field == "allowSelf" : null,
                Target = (item, id) => item.Label,
                Action = item => action,
                Force = force,
                Done = done,
            });
        }
    }
}
