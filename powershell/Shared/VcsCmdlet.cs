using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Text.Json.Serialization.Metadata;
using VMware.CloudServices.Impl.V1.CmdletOutput;
using VMware.CloudServices.Types.V1;

namespace VcsNative
{
    /// <summary>
    /// What every command shares: which connections it acts on, calling the library, and turning
    /// the library's errors and per-item reports into error records.
    /// </summary>
    public abstract partial class VcsCmdlet : PSCmdlet
    {
        internal SessionConnections Connections => SessionConnections.Current;

        // Made with the cmdlet, so a Stop that comes before the listing opens still cancels it.
        private readonly CursorReader listing;

        protected VcsCmdlet()
        {
            listing = new CursorReader(this);
        }

        /// <summary>The cmdlet's listings through the library's cursors (Get-VcsUser, Get-VcdUser, ...).</summary>
        internal CursorReader Listing => listing;

        /// <summary>
        /// Ctrl+C / Stop(), from another thread: the listing in flight is cancelled at once (its
        /// reader then ends the pipeline), and so is the bulk call in flight (it returns its report).
        /// </summary>
        protected override void StopProcessing()
        {
            listing.Stop();
            RunningJob?.Cancel();
            base.StopProcessing();
        }

        /// <summary>The CSP connections to act on: those given, else the default ones. None is a terminating error.</summary>
        internal IReadOnlyList<VcsServerImpl> CspTargets(IVcsServer[] given)
        {
            IEnumerable<IVcsServer> servers = given != null ? given : Connections.DefaultCsp;
            var targets = new List<VcsServerImpl>();
            foreach (IVcsServer s in servers)
            {
                if (!(s is VcsServerImpl impl) || !impl.IsConnected)
                {
                    ThrowTerminatingError(LibraryError.Of("notConnected", "Server '" + s?.Name + "' is not connected: run Connect-Vcs.").ToErrorRecord(s));
                }
                targets.Add((VcsServerImpl)s);
            }
            if (targets.Count == 0)
            {
                ThrowTerminatingError(LibraryError.Of("notConnected", "You are not connected to any CSP server: run Connect-Vcs first, or pass -Server.").ToErrorRecord(null));
            }
            return targets;
        }

        /// <summary>The Cloud Director sessions to act on: those given, else the default ones.</summary>
        internal IReadOnlyList<VcdServer> VcdTargets(VcdServer[] given)
        {
            IEnumerable<VcdServer> servers = given != null ? given : Connections.DefaultVcd;
            var targets = new List<VcdServer>();
            foreach (VcdServer s in servers)
            {
                if (s == null || !s.IsConnected)
                {
                    ThrowTerminatingError(LibraryError.Of("notConnected", "Cloud Director '" + s?.Name + "' is not connected: run Connect-Vcd.").ToErrorRecord(s));
                }
                targets.Add(s);
            }
            if (targets.Count == 0)
            {
                ThrowTerminatingError(LibraryError.Of("notConnected", "You are not connected to any Cloud Director: run Connect-Vcd first, or pass -Server.").ToErrorRecord(null));
            }
            return targets;
        }

        /// <summary>
        /// The one server a file command (Export-*, Sync-*) acts on: a file holds one organization,
        /// so several connections are refused, naming -Server, before anything is read or written.
        /// </summary>
        internal T OneTarget<T>(IReadOnlyList<T> targets, object given)
        {
            if (targets.Count > 1)
            {
                ThrowTerminatingError(LibraryError.Of("invalidArgument", "-Server: a file holds one organization; name one of the " + targets.Count + " connections.").ToErrorRecord(given));
            }
            return targets[0];
        }

        /// <summary>
        /// A listing on one of the servers acted on: a failure is written (non-terminating,
        /// targeting the server) and nothing returned, so the other servers still answer.
        /// </summary>
        internal T[] FromServer<THandle, T>(NativeCall<THandle> call, THandle connection, RequestJson request, JsonTypeInfo<T[]> type, object server)
            => TryCall(call, connection, request, type, server, out T[] found) ? found ?? System.Array.Empty<T>() : System.Array.Empty<T>();

        /// <summary>Calls the library; an error is written (non-terminating) and false returned.</summary>
        internal bool TryCall<THandle, T>(NativeCall<THandle> call, THandle connection, RequestJson request, JsonTypeInfo<T> type, object target, out T value)
        {
            value = NativeAnswer.Call(call, connection, request?.ToBytes(), type, out LibraryError error);
            if (error == null) return true;
            WriteError(error.ToErrorRecord(target));
            return false;
        }

        /// <summary>Whether -WhatIf is in effect: the parameter, else $WhatIfPreference.</summary>
        internal bool WhatIfActive => MyInvocation.BoundParameters.TryGetValue("WhatIf", out object given)
            ? LanguagePrimitives.IsTrue(given)
            : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));

        /// <summary>
        /// A removal's question. -Force (without an explicit -Confirm) skips only the confirmation:
        /// -WhatIf still goes through ShouldProcess (its "What if:" line, nothing removed) and -Verbose
        /// still gets the engine's "Performing the operation" line. (The removal cmdlets are
        /// ConfirmImpact High, so ShouldProcess itself would ask; a cmdlet cannot lower the
        /// preference for one call.) Without -Force the engine decides, and where it would have to
        /// ask and cannot (no UI), its own error ends the command before anything is removed.
        /// </summary>
        internal bool ShouldRemove(bool force, string target, string action)
        {
            if (!force || MyInvocation.BoundParameters.ContainsKey("Confirm") || WhatIfActive) return ShouldProcess(target, action);
            WriteVerbose("Performing the operation \"" + action + "\" on target \"" + target + "\".");
            return true;
        }

        /// <summary>
        /// -Id: each id looked up alone, so that an unknown one is one ObjectNotFound error (the
        /// library answers some lookups with notFound, others with an empty list) and the objects
        /// of the other ids are still returned.
        /// </summary>
        internal IEnumerable<T> EachById<THandle, T>(NativeCall<THandle> call, THandle connection, string[] ids, JsonTypeInfo<T[]> type, string what)
        {
            foreach (string id in ids)
            {
                using var query = new RequestJson().String("id", id);
                if (!TryCall(call, connection, query, type, id, out T[] found)) continue;
                if (found.Length == 0) WriteNotFound(what, id);
                foreach (T item in found) yield return item;
            }
        }

        /// <summary>One non-terminating "not found" error for an id that matched nothing.</summary>
        internal void WriteNotFound(string what, string id)
        {
            WriteError(LibraryError.Of("notFound", "No " + what + " with id '" + id + "' was found.").ToErrorRecord(id));
        }
    }
}
