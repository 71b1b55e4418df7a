using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.Json;
using Xunit;

namespace VcsNative.Engine.Tests
{
    /// <summary>Saved API tokens go through the library's store (shared with `vcs connect --save`).</summary>
    public sealed class SavedTokenTests
    {
        private static string StoreFile(TempConfigHome home) => Path.Combine(home.Dir, "vcs-native", "credentials.json");

        [Fact]
        public void A_token_saved_by_the_module_is_the_librarys_and_the_other_way_round()
        {
            if (System.OperatingSystem.IsWindows()) return; // the library refuses plain files there: DPAPI
            using var emu = new Emulator(users: 3);
            using var ps = new PsSession(emu);
            using var home = new TempConfigHome(ps);
            ps.Ok("$null = Connect-Vcs -Server $url -ApiToken $token -SaveApiToken -NotDefault");
            string file = StoreFile(home);
            VcsResult loaded = VcsSavedTokenStore.Load(JsonSerializer.Serialize(new { server = emu.Url, file }));
            Assert.True(loaded.IsOk, loaded.Json);
            Assert.Equal(emu.ApiToken, JsonDocument.Parse(loaded.Json).RootElement.GetProperty("apiToken").GetString());
            // A token the library saved (as `vcs connect --save` does) is kept and used by the module.
            const string other = "http://127.0.0.1:9";
            Assert.True(VcsSavedTokenStore.Save(JsonSerializer.Serialize(new { server = other, apiToken = "other-token", file })).IsOk);
            Assert.Equal(emu.OrgId, ps.Ok("(Connect-Vcs -Server $url).OrganizationId").Single().BaseObject);
            Assert.True(VcsSavedTokenStore.Load(JsonSerializer.Serialize(new { server = other, file })).IsOk);
            Assert.Equal(System.IO.UnixFileMode.UserRead | System.IO.UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        [Fact]
        public void A_corrupt_store_is_an_error_naming_the_file()
        {
            using var emu = new Emulator(users: 3);
            using var ps = new PsSession(emu);
            using var home = new TempConfigHome(ps);
            string file = StoreFile(home);
            Directory.CreateDirectory(Path.GetDirectoryName(file));
            File.WriteAllText(file, "{ not json");
            foreach (string script in new[] { "Connect-Vcs -Server $url", "Connect-Vcs -Menu" })
            {
                ErrorRecord e = ps.Run(script).OnlyError;
                Assert.StartsWith("Vcs.", e.FullyQualifiedErrorId);
                Assert.Contains(file, e.Exception.Message);
                Assert.IsNotType<JsonException>(e.Exception);
                Assert.Equal(file, e.TargetObject);
            }
            Assert.Equal(0, emu.Stats().GetProperty("total").GetInt32());
        }

        [Fact]
        public void An_unwritable_store_still_returns_and_publishes_the_connection_with_a_warning()
        {
            if (System.OperatingSystem.IsWindows()) return;
            using var emu = new Emulator(users: 3);
            using var ps = new PsSession(emu);
            using var home = new TempConfigHome(ps);
            string file = StoreFile(home);
            Directory.CreateDirectory(Path.GetDirectoryName(file));
            // The store refuses a symlink (it never writes through one).
            File.CreateSymbolicLink(file, Path.Combine(home.Dir, "elsewhere.json"));
            RunResult r = ps.Run("Connect-Vcs -Server $url -ApiToken $token -SaveApiToken");
            Assert.Equal(emu.OrgId, Assert.Single(r.Output).Properties["OrganizationId"].Value);
            Assert.Contains(r.Warnings, w => w.Contains(file));
            ErrorRecord e = r.OnlyError;
            Assert.StartsWith("Vcs.", e.FullyQualifiedErrorId);
            Assert.Contains(file, e.Exception.Message);
            Assert.DoesNotContain(emu.ApiToken, e.Exception.Message);
            Assert.Single(ps.Ok("$DefaultVcsServers"));
            Assert.False(File.Exists(Path.Combine(home.Dir, "elsewhere.json")));
        }

        [Fact]
        public void Menu_asks_which_saved_server_and_connects_with_its_token()
        {
            using var emu = new Emulator(users: 3);
            using (var saving = new PsSession(emu))
            using (var home = new TempConfigHome(saving))
            {
                saving.Ok("$null = Connect-Vcs -Server $url -ApiToken $token -SaveApiToken -NotDefault");
                var host = new AnsweringHost("1");
                using var ps = new PsSession(emu, host);
                PSObject server = ps.Ok("Connect-Vcs -Menu").Single();
                Assert.Equal(emu.OrgId, server.Properties["OrganizationId"].Value);
                Assert.Contains(host.Prompts, p => p.Contains("saved server"));
                Assert.Single(ps.Ok("$DefaultVcsServers"));
                // Without a UI to ask with: a clear error naming the saved servers, no connection.
                using var noUi = new PsSession(emu);
                ErrorRecord e = noUi.Run("Connect-Vcs -Menu").OnlyError;
                Assert.StartsWith("Vcs.invalidArgument,", e.FullyQualifiedErrorId);
                Assert.Contains(emu.Url, e.Exception.Message);
                Assert.Empty(noUi.Ok("$DefaultVcsServers"));
            }
        }
    }
}
