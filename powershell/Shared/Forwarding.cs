using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace VcsNative
{
    /// <summary>
    /// Runs another of the module's cmdlets in the caller's runspace and passes its output,
    /// errors and warnings on: PowerCLI's names (Connect-CIServer, ...) over the commands that
    /// hold the logic, so there is one connect and one disconnect path.
    /// </summary>
    internal static class Forwarding
    {
        internal static void Run<TCmdlet>(PSCmdlet caller, string name, IDictionary parameters) where TCmdlet : Cmdlet
        {
            using var ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
            ps.AddCommand(new CmdletInfo(name, typeof(TCmdlet)));
            ps.AddParameters(parameters);
            // The caller's -WhatIf/-Confirm/-Verbose/-ErrorAction apply to the forwarded command too.
            foreach (string common in new[] { "WhatIf", "Confirm", "Verbose", "Debug", "ErrorAction", "WarningAction" })
            {
                if (caller.MyInvocation.BoundParameters.TryGetValue(common, out object value)) ps.AddParameter(common, value);
            }
            try
            {
                foreach (PSObject o in ps.Invoke()) caller.WriteObject(o);
            }
            catch (RuntimeException e)
            {
                ForwardStreams(caller, ps);
                caller.ThrowTerminatingError(e.ErrorRecord);
            }
            ForwardStreams(caller, ps);
        }

        private static void ForwardStreams(PSCmdlet caller, PowerShell ps)
        {
            foreach (VerboseRecord v in ps.Streams.Verbose) caller.WriteVerbose(v.Message);
            foreach (WarningRecord w in ps.Streams.Warning) caller.WriteWarning(w.Message);
            foreach (ErrorRecord e in ps.Streams.Error) caller.WriteError(e);
            ps.Streams.ClearStreams();
        }
    }
}
