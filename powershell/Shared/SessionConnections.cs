using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;
using VMware.CloudServices.Impl.V1.CmdletOutput;
using VMware.CloudServices.Types.V1;

namespace VcsNative
{
    /// <summary>
    /// The connections of one runspace. The module keeps them itself and publishes the default ones
    /// as fresh arrays in $global:DefaultVcsServers and $global:DefaultVcdServers after each change,
    /// so whatever a script stored in those variables (a fixed-size array, $null) cannot break a
    /// connect, and piping them into a disconnect never enumerates a list that is being changed.
    /// The runspace owns them: when it closes, or the module is removed from it, every one is
    /// disconnected (Cloud Director sessions logged out), each within <see cref="Connecting.LogoutBound"/>.
    /// </summary>
    internal sealed class SessionConnections
    {
        private static readonly ConditionalWeakTable<Runspace, SessionConnections> ByRunspace = new ConditionalWeakTable<Runspace, SessionConnections>();

        internal static SessionConnections Current
        {
            get
            {
                Runspace runspace = Runspace.DefaultRunspace;
                if (runspace == null) return new SessionConnections();
                return ByRunspace.GetValue(runspace, r =>
                {
                    var owned = new SessionConnections();
                    r.StateChanged += owned.OnRunspaceStateChanged;
                    return owned;
                });
            }
        }

        /// <summary>Live CSP connections, oldest first, defaults and -NotDefault ones.</summary>
        internal readonly List<VcsServerImpl> Csp = new List<VcsServerImpl>();

        /// <summary>Live Cloud Director sessions, oldest first.</summary>
        internal readonly List<VcdServer> Vcd = new List<VcdServer>();

        internal IVcsServer[] DefaultCsp => Csp.Where(s => s.IsDefault && s.IsConnected).ToArray<IVcsServer>();

        internal VcdServer[] DefaultVcd => Vcd.Where(s => s.IsDefault && s.IsConnected).ToArray();

        internal void Add(VcsServerImpl connection)
        {
            lock (Csp) Csp.Add(connection);
        }

        internal void Add(VcdServer session)
        {
            lock (Vcd) Vcd.Add(session);
        }

        internal void Publish(PSCmdlet cmdlet)
        {
            lock (Csp) Csp.RemoveAll(s => !s.IsConnected);
            lock (Vcd) Vcd.RemoveAll(s => !s.IsConnected);
            Set(cmdlet, "global:DefaultVcsServers", DefaultCsp);
            Set(cmdlet, "global:DefaultVcdServers", DefaultVcd);
            Set(cmdlet, "global:DefaultCIServers", DefaultVcd); // PowerCLI's name for the same sessions
        }

        private void OnRunspaceStateChanged(object sender, RunspaceStateEventArgs e)
        {
            RunspaceState state = e.RunspaceStateInfo.State;
            if (state == RunspaceState.Closing || state == RunspaceState.Closed || state == RunspaceState.Broken) DisconnectAll();
        }

        /// <summary>
        /// Disconnects every connection of this runspace, the logouts side by side on workers; returns
        /// after they finish or after the bound, whichever is first (a slow logout ends in the background).
        /// </summary>
        internal void DisconnectAll()
        {
            var handles = new List<NativeConnectionHandle>();
            lock (Csp)
            {
                handles.AddRange(Csp.Select(s => (NativeConnectionHandle)s.Handle));
                Csp.Clear();
            }
            lock (Vcd)
            {
                handles.AddRange(Vcd.Select(s => (NativeConnectionHandle)s.Handle));
                Vcd.Clear();
            }
            Task[] logouts = handles.Where(h => !h.IsClosed).Select(h => Task.Run(() => h.Dispose())).ToArray();
            if (logouts.Length > 0) Task.WaitAll(logouts, Connecting.LogoutBound);
        }

        /// <summary>Remove-Module: the connections of the runspace that removes it.</summary>
        internal static void DisconnectCurrent()
        {
            Runspace runspace = Runspace.DefaultRunspace;
            if (runspace != null && ByRunspace.TryGetValue(runspace, out SessionConnections owned))
            {
                owned.DisconnectAll();
                runspace.StateChanged -= owned.OnRunspaceStateChanged;
                ByRunspace.Remove(runspace);
            }
        }

        private static void Set(PSCmdlet cmdlet, string name, object value)
        {
            try
            {
                cmdlet.SessionState.PSVariable.Set(name, value);
            }
            catch (SessionStateUnauthorizedAccessException e)
            {
                // A script made the variable read-only or constant: the connection itself stands.
                cmdlet.WriteWarning("Could not update $" + name.Substring(7) + ": " + e.Message);
            }
        }
    }
}
