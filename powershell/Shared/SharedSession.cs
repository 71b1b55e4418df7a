using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace VcsNative
{
    /// <summary>
    /// A connection that Connect-* calls share and Disconnect-* counts down (VcsServerImpl,
    /// VcdServer): what the one reference count needs of either.
    /// </summary>
    internal interface ISharedSession
    {
        NativeConnectionHandle Handle { get; }
        bool IsConnected { get; }
        bool IsDefault { get; }
        Uri ServiceUri { get; }
        string Name { get; }
        int RefCount { get; set; }
    }

    /// <summary>
    /// The reference count PowerCLI keeps: logging in again as the same user to the same
    /// organization counts the first connection up, a disconnect counts down, and the last one
    /// (or -Force) logs out.
    /// </summary>
    internal static class SharedSessions
    {
        /// <summary>
        /// The connection a login ends with: a live one of the same login and default-ness counts
        /// up and the fresh one (a session of its own) is logged out on a worker, within the bound;
        /// else the fresh one is added and published.
        /// </summary>
        internal static T Keep<T>(PSCmdlet cmdlet, T fresh, List<T> live, Action<T> add, Func<T, T, bool> sameLogin) where T : class, ISharedSession
        {
            T existing = live.FirstOrDefault(s => s.IsConnected && s.IsDefault == fresh.IsDefault && s.ServiceUri == fresh.ServiceUri && sameLogin(s, fresh));
            if (existing != null)
            {
                fresh.Handle.DisconnectWithin(Connecting.LogoutBound);
                existing.RefCount++;
                return existing;
            }
            add(fresh);
            SessionConnections.Current.Publish(cmdlet);
            return fresh;
        }

        /// <summary>Counts a connection down; the last reference, or <paramref name="force"/>, logs out within the bound (a warning when it outlasts it).</summary>
        internal static void Release(PSCmdlet cmdlet, ISharedSession s, bool force)
        {
            s.RefCount--;
            if (s.RefCount > 0 && !force) return;
            s.RefCount = 0;
            // On a worker, within the bound: a hung logout never holds the pipeline.
            if (!s.Handle.DisconnectWithin(Connecting.LogoutBound))
                cmdlet.WriteWarning("The logout of " + s.Name + " did not finish within " + Connecting.LogoutBound.TotalSeconds + " s; it goes on in the background.");
        }
    }
}
