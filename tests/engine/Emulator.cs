using System;
using System.Diagnostics;
using System.IO;
using System.Net.Http;
using System.Text;
using System.Text.Json;

namespace VcsNative.Engine.Tests
{
    /// <summary>
    /// A vcs-emulator process on a free loopback port, seeded with its organization; stopped on
    /// Dispose. Its first stdout line is JSON with the address and the credentials it accepts.
    /// </summary>
    public sealed class Emulator : IDisposable
    {
        private static readonly HttpClient Http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        private readonly Process process;

        public Emulator(int users = 40, int invitations = 6, int vcdUsers = 25)
        {
            string binary = Paths.Emulator;
            var start = new ProcessStartInfo(binary)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string a in new[] { "--listen", "127.0.0.1:0", "--users", users.ToString(), "--invitations", invitations.ToString(), "--vcd-users", vcdUsers.ToString() })
                start.ArgumentList.Add(a);
            process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + binary);
            process.ErrorDataReceived += (_, _) => { };
            process.BeginErrorReadLine();
            string first = process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("the emulator printed nothing: " + binary);
            Info = JsonDocument.Parse(first).RootElement.Clone();
        }

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

        /// <summary>POSTs a control request, e.g. a fault rule to /_emulator/faults.</summary>
        public void Control(string path, string json = "{}")
        {
            using var body = new StringContent(json, Encoding.UTF8, "application/json");
            using HttpResponseMessage r = Http.PostAsync(Url + path, body).GetAwaiter().GetResult();
            r.EnsureSuccessStatusCode();
        }

        public void Dispose()
        {
            try
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
            }
            process.Dispose();
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
