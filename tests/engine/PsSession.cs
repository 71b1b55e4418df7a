using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Management.Automation.Runspaces;

namespace VcsNative.Engine.Tests
{
    /// <summary>What one script run gave: its output, its non-terminating errors, and the terminating one if any.</summary>
    public sealed class RunResult
    {
        public Collection<PSObject> Output { get; init; }
        public List<ErrorRecord> Errors { get; init; }
        public RuntimeException Terminating { get; init; }
        public List<string> Warnings { get; init; }

        public object[] Values => Output.Select(o => o?.BaseObject).ToArray();

        /// <summary>
        /// The one error the script wrote. A cmdlet's terminating error ends its statement and lands
        /// in the error stream, as in any script; only -ErrorAction Stop makes it end the script.
        /// </summary>
        public ErrorRecord OnlyError
        {
            get
            {
                var all = AllErrors.ToList();
                if (all.Count != 1) throw new Xunit.Sdk.XunitException("expected exactly one error:\n" + this);
                return all[0];
            }
        }

        /// <summary>Every error, non-terminating and terminating, in order.</summary>
        public IEnumerable<ErrorRecord> AllErrors => Terminating == null ? Errors : Errors.Append(Terminating.ErrorRecord);

        public override string ToString() =>
            "output: " + string.Join(", ", Output.Select(o => o?.ToString())) + "\nerrors: " + string.Join("\n  ", AllErrors.Select(e => e.FullyQualifiedErrorId + ": " + e));
    }

    /// <summary>
    /// A fresh runspace with the built module imported, as a script sees it. With no host given the
    /// runspace has no UI, like pwsh -NonInteractive: a command that would ask fails instead.
    /// </summary>
    public sealed class PsSession : IDisposable
    {
        private readonly Runspace runspace;

        public PsSession(Emulator emulator = null, PSHost host = null, bool importModule = true)
        {
            InitialSessionState iss = InitialSessionState.CreateDefault2();
            if (importModule) iss.ImportPSModule(Paths.Manifest);
            runspace = host == null ? RunspaceFactory.CreateRunspace(iss) : RunspaceFactory.CreateRunspace(host, iss);
            runspace.Open();
            Set("manifest", Paths.Manifest);
            if (emulator != null)
            {
                Set("url", emulator.Url);
                Set("token", emulator.ApiToken);
                Set("emu", emulator);
            }
        }

        public Runspace Runspace => runspace;

        public void Set(string name, object value) => runspace.SessionStateProxy.SetVariable(name, value);

        public object Get(string name) => runspace.SessionStateProxy.GetVariable(name);

        /// <summary>Runs a script; terminating errors are caught and returned, not thrown.</summary>
        public RunResult Run(string script)
        {
            using PowerShell ps = PowerShell.Create(runspace);
            ps.AddScript(script);
            Collection<PSObject> output = new Collection<PSObject>();
            RuntimeException terminating = null;
            try
            {
                output = ps.Invoke();
            }
            catch (RuntimeException e)
            {
                terminating = e;
            }
            return new RunResult
            {
                Output = output,
                Errors = ps.Streams.Error.ToList(),
                Terminating = terminating,
                Warnings = ps.Streams.Warning.Select(w => w.Message).ToList(),
            };
        }

        /// <summary>Runs a script that must succeed without any error, and returns its output.</summary>
        public Collection<PSObject> Ok(string script)
        {
            RunResult r = Run(script);
            if (r.Terminating != null || r.Errors.Count > 0) throw new Xunit.Sdk.XunitException("script failed: " + script + "\n" + r);
            return r.Output;
        }

        /// <summary>Connects to the emulator as the default server; returns the server object.</summary>
        public PSObject Connect() => Ok("Connect-Vcs -Server $url -ApiToken $token").Single();

        public void Dispose() => runspace.Dispose();
    }
}
