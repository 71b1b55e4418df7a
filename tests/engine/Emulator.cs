using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using System.Diagnostics;
using System.IO;
using System.Net.Http;
using System.Text;
using System.Text.Json;

namespace VcsNative.Engine.Tests
{
    /// <summary>
    /// A vcs-emulator seeded with its organization, for one test. By default it is leased from a
    /// pool of running emulators of the same seed sizes (starting one costs more than a test):
    /// Dispose resets it (POST /_emulator/reset: users, tokens, sessions, faults, statistics) and
    /// returns it. A test that needs its own process (other options, or one it stops) passes
    /// <c>privateProcess: true</c> or extra arguments. Its first stdout line is JSON with the address
    /// and the credentials it accepts.
    /// </summary>
    public sealed class Emulator : IDisposable
    {
        private static readonly HttpClient Http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        private static readonly Dictionary<string, Stack<EmulatorProcess>> Idle = new Dictionary<string, Stack<EmulatorProcess>>();
        private static readonly List<EmulatorProcess> All = new List<EmulatorProcess>();
        private readonly EmulatorProcess process;
        private readonly string poolKey;
        private bool disposed;

        static Emulator()
        {
            // Pooled emulators outlive their tests: stop them with the test process.
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                lock (Idle) foreach (EmulatorProcess p in All) p.Kill();
            };
        }

        public Emulator(int users = 40, int invitations = 6, int vcdUsers = 25, bool privateProcess = false, params string[] extraArgs)
        {
            var args = new List<string> { "--users", users.ToString(), "--invitations", invitations.ToString(), "--vcd-users", vcdUsers.ToString() };
            args.AddRange(extraArgs ?? Array.Empty<string>());
            if (!args.Contains("--listen")) args.InsertRange(0, new[] { "--listen", "127.0.0.1:0" });
            if (!privateProcess && (extraArgs == null || extraArgs.Length == 0) && PoolEnabled) poolKey = string.Join(" ", args);
            if (poolKey != null)
            {
                lock (Idle)
                {
                    if (Idle.TryGetValue(poolKey, out Stack<EmulatorProcess> idle) && idle.Count > 0) process = idle.Pop();
                }
            }
            if (process == null)
            {
                process = new EmulatorProcess(args);
                if (poolKey != null) lock (Idle) All.Add(process);
            }
            Info = process.Info;
        }

        /// <summary>VCS_TEST_EMULATOR_POOL=0 gives every test its own process (to compare, or to rule the pool out).</summary>
        private static bool PoolEnabled => Environment.GetEnvironmentVariable("VCS_TEST_EMULATOR_POOL") != "0";

        /// <summary>How many emulator processes this test run started (pooling shows here).</summary>
        public static int Started => EmulatorProcess.Count;

        public JsonElement Info { get; }
        public string Url => Info.GetProperty("url").GetString();
        public string ApiToken => Info.GetProperty("apiToken").GetString();
        public string AppId => Info.GetProperty("appId").GetString();
        public string AppSecret => Info.GetProperty("appSecret").GetString();
        public string OrgId => Info.GetProperty("orgId").GetString();
        public string VcdUrl => Info.GetProperty("vcdUrl").GetString();
        public string VcdOrg => Info.GetProperty("vcdOrg").GetString();
        public string VcdUser => Info.GetProperty("vcdUser").GetString();
        public string VcdPassword => Info.GetProperty("vcdPassword").GetString();
        public string VcdApiToken => Info.GetProperty("vcdApiToken").GetString();

        /// <summary>The emulator's whole state (GET /_emulator/state).</summary>
        public JsonElement State()
        {
            string json = Http.GetStringAsync(Url + "/_emulator/state").GetAwaiter().GetResult();
            return JsonDocument.Parse(json).RootElement.Clone();
        }

        /// <summary>Request counts (GET /_emulator/stats).</summary>
        public JsonElement Stats()
        {
            string json = Http.GetStringAsync(Url + "/_emulator/stats").GetAwaiter().GetResult();
            return JsonDocument.Parse(json).RootElement.Clone();
        }

        /// <summary>How many requests the fault rules hit so far, all rules together (counted as they arrive, before any latency).</summary>
        public int FaultHits()
        {
            string json = Http.GetStringAsync(Url + "/_emulator/faults").GetAwaiter().GetResult();
            using JsonDocument doc = JsonDocument.Parse(json);
            int hits = 0;
            foreach (JsonElement rule in doc.RootElement.EnumerateArray())
                if (rule.TryGetProperty("hits", out JsonElement n)) hits += n.GetInt32();
            return hits;
        }

        /// <summary>POSTs a control request, e.g. a fault rule to /_emulator/faults.</summary>
        public void Control(string path, string json = "{}")
        {
            using var body = new StringContent(json, Encoding.UTF8, "application/json");
            using HttpResponseMessage r = Http.PostAsync(Url + path, body).GetAwaiter().GetResult();
            r.EnsureSuccessStatusCode();
        }

        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            if (poolKey == null || !process.Reset(Url))
            {
                process.Kill();
                lock (Idle) All.Remove(process);
                return;
            }
            lock (Idle)
            {
                if (!Idle.TryGetValue(poolKey, out Stack<EmulatorProcess> idle)) Idle[poolKey] = idle = new Stack<EmulatorProcess>();
                idle.Push(process);
            }
        }

        /// <summary>One running vcs-emulator process.</summary>
        private sealed class EmulatorProcess
        {
            private static int count;
            private readonly Process process;

            // $1: the test process; $2...: the emulator and its arguments. Its stdout is the emulator's.
            // The watching loop runs in a subshell of its own, so that it outlives a shell killed
            // with the test host's children and still stops the emulator.
            private const string Watchdog = "owner=$1; shift; \"$@\" & child=$!; "
                + "( while kill -0 $owner 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 1; done; kill $child 2>/dev/null ) & "
                + "wait $child";

            internal static int Count => count;

            internal EmulatorProcess(IEnumerable<string> args)
            {
                string binary = Paths.Emulator;
                ProcessStartInfo start;
                if (OperatingSystem.IsWindows())
                {
                    start = new ProcessStartInfo(binary);
                }
                else
                {
                    // A watchdog shell stops the emulator when this test process is gone (the test
                    // host can end without running exit handlers); it answers for the pid it ran.
                    start = new ProcessStartInfo("/bin/sh");
                    foreach (string a in new[] { "-c", Watchdog, "vcs-emulator-watchdog", Environment.ProcessId.ToString(), binary }) start.ArgumentList.Add(a);
                }
                start.RedirectStandardOutput = true;
                start.RedirectStandardError = true;
                start.UseShellExecute = false;
                foreach (string a in args) start.ArgumentList.Add(a);
                process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + binary);
                Interlocked.Increment(ref count);
                process.ErrorDataReceived += (_, _) => { };
                process.BeginErrorReadLine();
                string first = process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("the emulator printed nothing: " + binary);
                Info = JsonDocument.Parse(first).RootElement.Clone();
            }

            internal JsonElement Info { get; }

            /// <summary>Back to the seeded state for the next test; false if the process is gone or refuses.</summary>
            internal bool Reset(string url)
            {
                try
                {
                    if (process.HasExited) return false;
                    using var body = new StringContent("{}", Encoding.UTF8, "application/json");
                    using HttpResponseMessage r = Http.PostAsync(url + "/_emulator/reset", body).GetAwaiter().GetResult();
                    if (!r.IsSuccessStatusCode) return false;
                    using HttpResponseMessage f = Http.DeleteAsync(url + "/_emulator/faults").GetAwaiter().GetResult();
                    return f.IsSuccessStatusCode;
                }
                catch (Exception e) when (e is HttpRequestException || e is TaskCanceledException || e is InvalidOperationException)
                {
                    return false;
                }
            }

            internal void Kill()
            {
                try
                {
                    if (!process.HasExited) process.Kill(entireProcessTree: true);
                    process.WaitForExit(5000);
                }
                catch (InvalidOperationException)
                {
                }
            }
        }
    }

    /// <summary>Where the built module and the emulator are.</summary>
    public static class Paths
    {
        public static string RepoRoot
        {
            get
            {
                var dir = new DirectoryInfo(AppContext.BaseDirectory);
                while (dir != null && !File.Exists(Path.Combine(dir.FullName, "powershell", "VcsNative.csproj"))) dir = dir.Parent;
                return dir?.FullName ?? throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
            }
        }

        public static string ModuleDir => Environment.GetEnvironmentVariable("VCS_MODULE_DIR") is string d && d.Length > 0
            ? d
            : Path.Combine(RepoRoot, "target", "powershell", "VcsNative");

        public static string Manifest
        {
            get
            {
                string psd1 = Path.Combine(ModuleDir, "VcsNative.psd1");
                if (!File.Exists(psd1)) throw new FileNotFoundException("the module is not built: run `dotnet build powershell -c Release` first", psd1);
                return psd1;
            }
        }

        public static string Emulator
        {
            get
            {
                string path = Environment.GetEnvironmentVariable("VCS_EMULATOR") is string e && e.Length > 0
                    ? e
                    : Path.Combine(RepoRoot, "target", "release", "vcs-emulator");
                if (!File.Exists(path)) throw new FileNotFoundException("the emulator binary was not found: set VCS_EMULATOR or build it with cargo build --release", path);
                return path;
            }
        }
    }
}
