using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using VMware.CloudServices.Impl.V1.CmdletOutput;
using VMware.CloudServices.Types.V1;

namespace VcsNative
{
    /// <summary>
    /// The connections of one runspace. The module keeps them itself and publishes the default ones
    /// as fresh arrays in $global:DefaultVcsServers and $global:DefaultVcdServers after each change,
    /// so whatever a script stored in those variables (a fixed-size array, $null) cannot break a
    /// connect, and piping them into a disconnect never enumerates a list that is being changed.
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
                return ByRunspace.GetValue(runspace, _ => new SessionConnections());
            }
        }

        /// <summary>Live CSP connections, oldest first, defaults and -NotDefault ones.</summary>
        internal readonly List<VcsServerImpl> Csp = new List<VcsServerImpl>();

        /// <summary>Live Cloud Director sessions, oldest first.</summary>
        internal readonly List<VcdServer> Vcd = new List<VcdServer>();

        internal IVcsServer[] DefaultCsp => Csp.Where(s => s.IsDefault && s.IsConnected).ToArray<IVcsServer>();

        internal VcdServer[] DefaultVcd => Vcd.Where(s => s.IsDefault && s.IsConnected).ToArray();

        internal void Publish(PSCmdlet cmdlet)
        {
            Csp.RemoveAll(s => !s.IsConnected);
            Vcd.RemoveAll(s => !s.IsConnected);
            Set(cmdlet, "global:DefaultVcsServers", DefaultCsp);
            Set(cmdlet, "global:DefaultVcdServers", DefaultVcd);
            Set(cmdlet, "global:DefaultCIServers", DefaultVcd); // PowerCLI's name for the same sessions
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
