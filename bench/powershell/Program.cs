using System;
using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text;

namespace VcsNative.Bench
{
    /// <summary>
    /// One fresh process hosting the PowerShell engine, as a script run by pwsh would be:
    ///   engine                          open a runspace and run one trivial command (the baseline)
    ///   import MANIFEST                 the same, then Import-Module
    ///   list MANIFEST URL TOKEN         the same, then Connect-Vcs and (Get-VcsUser).Count
    ///   walk|parse|keep MANIFEST URL TOKEN
    ///                                   no engine: vcs_connect, then every user through the cursor,
    ///                                   its pages walked unread, read by the module's reader, or read
    ///                                   and kept (NativeListing); the module's assembly and native
    ///                                   library are loaded from the manifest's folder
    ///   first MANIFEST URL TOKEN        Connect-Vcs, then the first object of Get-VcsUser (the
    ///                                   pipeline stopped there), then Get-VcsUser | Select -First 5
    ///   measure MANIFEST URL TOKEN      Connect-Vcs, then Get-VcsUser | Measure-Object (peak memory)
    ///   import MANIFEST EMPTY           Import-Module of an empty module first, then the module's
    /// Prints one JSON line: milliseconds of each step (Stopwatch around it) and this process's
    /// resident memory after each step and at its peak (VmHWM).
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            string mode = args.Length > 0 ? args[0] : "";
            if (!(mode == "engine" || (mode == "import" && (args.Length == 2 || args.Length == 3))
                || ((mode == "list" || Native(mode) || mode == "first" || mode == "measure") && args.Length == 4)))
            {
                Console.Error.WriteLine("usage: PsBench engine | import MANIFEST [EMPTY] | list|first|measure|walk|parse|keep MANIFEST URL TOKEN");
                return 2;
            }
            var figures = new StringBuilder("{\"mode\": \"" + mode + "\"");
            void Figure(string name, double value) => figures.Append(", \"" + name + "\": " + value.ToString("0.###", CultureInfo.InvariantCulture));
            if (Native(mode))
            {
                LoadModuleAssembly(Path.GetDirectoryName(Path.GetFullPath(args[1])));
                NativeListing.Run(mode, args[2], args[3], Figure);
                Figure("peakRssKib", Status("VmHWM"));
                Console.WriteLine(figures.Append('}'));
                return 0;
            }

            var clock = Stopwatch.StartNew();
            using Runspace runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
            runspace.Open();
            // The first command pays for the pipeline machinery; the import should not be charged for it.
            Run(runspace, ps => ps.AddScript("$null"));
            Figure("engineMs", clock.Elapsed.TotalMilliseconds);
            Figure("rssEngineKib", Status("VmRSS"));

            if (mode != "engine")
            {
                string manifest = Path.GetFullPath(args[1]);
                if (mode == "import" && args.Length == 3)
                {
                    // The engine's first Import-Module pays a one-time cost; charge it to an empty module.
                    string empty = Path.GetFullPath(args[2]);
                    clock.Restart();
                    Run(runspace, ps => ps.AddCommand("Import-Module").AddParameter("Name", empty));
                    Figure("emptyImportMs", clock.Elapsed.TotalMilliseconds);
                }
                clock.Restart();
                Run(runspace, ps => ps.AddCommand("Import-Module").AddParameter("Name", manifest));
                Figure("importMs", clock.Elapsed.TotalMilliseconds);
                Figure("rssImportKib", Status("VmRSS"));
            }
            if (mode == "list" || mode == "first" || mode == "measure")
            {
                clock.Restart();
                Run(runspace, ps => ps.AddCommand("Connect-Vcs").AddParameter("Server", args[2]).AddParameter("ApiToken", args[3]));
                Figure("connectMs", clock.Elapsed.TotalMilliseconds);
            }
            if (mode == "first")
            {
                // Select-Object's first use compiles engine code: paid before the clock, as in the pwsh row.
                Run(runspace, ps => ps.AddScript("$null = 1..3 | Select-Object -First 1"));
                clock.Restart();
                FirstObject(runspace, "Get-VcsUser", Figure);
                clock.Restart();
                Collection<PSObject> five = Run(runspace, ps => ps.AddScript("Get-VcsUser | Select-Object -First 5"));
                Figure("first5Ms", clock.Elapsed.TotalMilliseconds);
                Figure("count", five.Count);
            }
            if (mode == "measure")
            {
                clock.Restart();
                Collection<PSObject> m = Run(runspace, ps => ps.AddScript("(Get-VcsUser | Measure-Object).Count"));
                Figure("measureMs", clock.Elapsed.TotalMilliseconds);
                Figure("count", Convert.ToDouble(m.Single().BaseObject, CultureInfo.InvariantCulture));
            }
            if (mode == "list")
            {
                clock.Restart();
                Collection<PSObject> count = Run(runspace, ps => ps.AddScript("(Get-VcsUser).Count"));
                Figure("listMs", clock.Elapsed.TotalMilliseconds);
                Figure("count", Convert.ToDouble(count.Single().BaseObject, CultureInfo.InvariantCulture));
                Figure("rssListKib", Status("VmRSS"));
            }
            Figure("peakRssKib", Status("VmHWM"));
            Console.WriteLine(figures.Append('}'));
            return 0;
        }

        private static bool Native(string mode) => mode == "walk" || mode == "parse" || mode == "keep";

        /// <summary>The module's assembly from its folder, as Import-Module loads it (its native library is found beside it).</summary>
        private static void LoadModuleAssembly(string folder)
        {
            System.Runtime.Loader.AssemblyLoadContext.Default.Resolving += (context, name) =>
                name.Name == "VcsNative.Commands" ? context.LoadFromAssemblyPath(Path.Combine(folder, "VcsNative.Commands.dll")) : null;
        }

        /// <summary>Time from the invocation to the first object the command writes; the pipeline is then stopped.</summary>
        private static void FirstObject(Runspace runspace, string script, Action<string, double> figure)
        {
            using PowerShell ps = PowerShell.Create(runspace);
            ps.AddScript(script);
            var output = new PSDataCollection<PSObject>();
            var clock = Stopwatch.StartNew();
            double first = double.NaN;
            using var arrived = new System.Threading.ManualResetEventSlim();
            output.DataAdded += (_, _) =>
            {
                if (arrived.IsSet) return;
                first = clock.Elapsed.TotalMilliseconds;
                arrived.Set();
            };
            IAsyncResult run = ps.BeginInvoke<PSObject, PSObject>(null, output);
            if (!arrived.Wait(TimeSpan.FromSeconds(60))) throw new InvalidOperationException("no object in 60 s");
            figure("firstObjectMs", first);
            var stop = Stopwatch.StartNew();
            ps.Stop();
            figure("stopMs", stop.Elapsed.TotalMilliseconds);
        }

        /// <summary>Runs one command; any error ends the benchmark (a figure of a failed run means nothing).</summary>
        private static Collection<PSObject> Run(Runspace runspace, Action<PowerShell> build)
        {
            using PowerShell ps = PowerShell.Create(runspace);
            build(ps);
            Collection<PSObject> output = ps.Invoke();
            if (ps.Streams.Error.Count > 0)
            {
                string errors = string.Join("\n", ps.Streams.Error.Select(e => e.FullyQualifiedErrorId + ": " + e));
                throw new InvalidOperationException("the benchmark's command failed:\n" + errors);
            }
            return output;
        }

        /// <summary>A KiB figure of /proc/self/status (Linux): VmRSS now, VmHWM the peak.</summary>
        internal static double Status(string field)
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith(field + ":", StringComparison.Ordinal))
                    return double.Parse(line.Substring(field.Length + 1).Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
            return double.NaN;
        }
    }
}
