using System.Collections.Generic;
using System.Management.Automation;
using VMware.CloudServices.Impl.V1.CmdletOutput;
using VMware.CloudServices.Types.V1;

namespace VcsNative
{
    /// <summary>
    /// The items a bulk command collected from the pipeline, grouped by the connection they go to,
    /// in the order the connections first appeared: EndProcessing makes one library call per group.
    /// </summary>
    internal sealed class PerServer<T>
    {
        private readonly List<(VcsServerImpl Server, List<T> Items)> groups = new List<(VcsServerImpl, List<T>)>();

        internal void Add(VcsServerImpl server, T item)
        {
            foreach (var g in groups)
            {
                if (ReferenceEquals(g.Server, server))
                {
                    g.Items.Add(item);
                    return;
                }
            }
            groups.Add((server, new List<T> { item }));
        }

        internal IReadOnlyList<(VcsServerImpl Server, List<T> Items)> Groups => groups;
    }

    internal static class Confirmation
    {
        /// <summary>
        /// ShouldProcess for removals with -Force: -Force skips the question unless -Confirm was
        /// given explicitly; -WhatIf still only reports. Without -Force, the engine decides (and
        /// fails on its own where it would have to ask and cannot).
        /// </summary>
        internal static bool Approve(PSCmdlet cmdlet, bool force, string target, string action)
        {
            if (force && !cmdlet.MyInvocation.BoundParameters.ContainsKey("Confirm") && !WhatIf(cmdlet)) return true;
            return cmdlet.ShouldProcess(target, action);
        }

        private static bool WhatIf(PSCmdlet cmdlet)
        {
            object value = cmdlet.MyInvocation.BoundParameters.TryGetValue("WhatIf", out object given) ? given : cmdlet.GetVariableValue("WhatIfPreference");
            return value is SwitchParameter s ? s.IsPresent : LanguagePrimitives.IsTrue(value);
        }
    }

    internal static class ItemTargets
    {
        /// <summary>
        /// Where a piped object goes: -Server when given, else the connection the object was read
        /// from, else (text, or an object of no connection) the default connections.
        /// </summary>
        internal static IReadOnlyList<VcsServerImpl> TargetsFor(this VcsCmdlet cmdlet, IVcsServer[] given, IVcsServer own)
        {
            if (given == null && own != null) return cmdlet.CspTargets(new[] { own });
            return cmdlet.CspTargets(given);
        }
    }
}
