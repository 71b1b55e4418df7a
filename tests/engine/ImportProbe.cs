using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;
using System.Text.Json;

namespace VcsNative.Engine.Tests
{
    /// <summary>What one import of the module in a process of its own showed.</summary>
    public sealed class ImportReport
    {
        public List<string> Errors { get; set; } = new List<string>();
        public List<string> Exported { get; set; } = new List<string>();
        public string ModuleType { get; set; }
        public int AddTypeCalls { get; set; }

        /// <summary>Assemblies the import loaded: "name|location|dynamic".</summary>
        public List<string> LoadedAssemblies { get; set; } = new List<string>();

        /// <summary>Files under the process's home folder when it ended, relative to it.</summary>
        public List<string> FilesInHome { get; set; } = new List<string>();
    }

    /// <summary>
    /// Imports the module in a new process (`dotnet VcsNative.Engine.Tests.dll import &lt;psd1&gt;`),
    /// with a home folder of its own: what an import loads, compiles and writes can only be seen
    /// where no other test shares the process, and a module copied elsewhere must load its own
    /// assembly, not the one this process already holds.
    /// </summary>
    public static class ImportProbe
    {
        public static ImportReport Run(string manifest)
        {
            string home = Directory.CreateTempSubdirectory("vcs-home-").FullName;
            string caches = Directory.CreateTempSubdirectory("vcs-ps-cache-").FullName;
            try
            {
                var start = new ProcessStartInfo(DotnetHost())
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                };
                start.ArgumentList.Add("exec");
                start.ArgumentList.Add(typeof(ImportProbe).Assembly.Location);
                start.ArgumentList.Add("import");
                start.ArgumentList.Add(manifest);
                start.Environment["HOME"] = home;
                start.Environment["USERPROFILE"] = home;
                foreach (string xdg in new[] { "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME" }) start.Environment.Remove(xdg);
                // The engine's own files (its cache of module exports, its telemetry id) are not the
                // module's doing: kept out of the home that is checked.
                start.Environment["PSModuleAnalysisCachePath"] = Path.Combine(caches, "ModuleAnalysisCache");
                start.Environment["POWERSHELL_TELEMETRY_OPTOUT"] = "1";
                using Process p = Process.Start(start);
                string stdout = p.StandardOutput.ReadToEnd();
                string stderr = p.StandardError.ReadToEnd();
                if (!p.WaitForExit(60_000)) p.Kill(entireProcessTree: true);
                string last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
                if (p.ExitCode != 0 || !last.StartsWith("{"))
                    throw new Xunit.Sdk.XunitException("the import probe failed (exit " + p.ExitCode + "):\n" + stdout + "\n" + stderr);
                ImportReport report = JsonSerializer.Deserialize<ImportReport>(last);
                report.FilesInHome = Directory.GetFiles(home, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(home, f)).ToList();
                return report;
            }
            finally
            {
                Directory.Delete(home, recursive: true);
                Directory.Delete(caches, recursive: true);
            }
        }

        /// <summary>The dotnet executable: the one dotnet test runs under, else the one on PATH.</summary>
        private static string DotnetHost()
        {
            if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is string host && File.Exists(host)) return host;
            string self = Environment.ProcessPath;
            return self != null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
        }

        /// <summary>The probe's side: runs in the child process.</summary>
        internal static int Probe(string manifest)
        {
            var report = new ImportReport();
            var before = new HashSet<Assembly>(AppDomain.CurrentDomain.GetAssemblies());
            using (Runspace runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2()))
            {
                runspace.Open();
                using (PowerShell warmUp = PowerShell.Create(runspace))
                {
                    // A stand-in that counts: a module that compiled C# at import would call it.
                    warmUp.AddScript("$global:addTypeCalls = 0; function global:Add-Type { $global:addTypeCalls++ }; $null = Get-Command Get-Command").Invoke();
                }
                before.UnionWith(AppDomain.CurrentDomain.GetAssemblies());
                using PowerShell ps = PowerShell.Create(runspace);
                ps.AddCommand("Import-Module").AddParameter("Name", manifest).AddParameter("PassThru");
                try
                {
                    foreach (PSModuleInfo m in ps.Invoke<PSModuleInfo>())
                    {
                        report.ModuleType = m.ModuleType.ToString();
                        report.Exported.AddRange(m.ExportedCommands.Keys);
                    }
                }
                catch (RuntimeException e)
                {
                    report.Errors.Add(e.Message);
                }
                report.Errors.AddRange(ps.Streams.Error.Select(e => e.ToString()));
                using PowerShell count = PowerShell.Create(runspace);
                report.AddTypeCalls = (int)count.AddScript("$global:addTypeCalls").Invoke()[0].BaseObject;
            }
            foreach (Assembly a in AppDomain.CurrentDomain.GetAssemblies().Where(a => !before.Contains(a)))
            {
                report.LoadedAssemblies.Add(a.GetName().Name + "|" + (a.IsDynamic ? "" : a.Location) + "|" + a.IsDynamic);
            }
            Console.WriteLine(JsonSerializer.Serialize(report));
            return 0;
        }
    }

    /// <summary>The test assembly's entry point: the import probe's child process; the test runner does not use it.</summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            if (args.Length == 2 && args[0] == "import") return ImportProbe.Probe(args[1]);
            Console.Error.WriteLine("usage: VcsNative.Engine.Tests import <module manifest>");
            return 2;
        }
    }
}
