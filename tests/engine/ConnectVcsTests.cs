using System.Linq;
using System.Management.Automation;
using VMware.CloudServices.Types.V1;
using Xunit;

namespace VcsNative.Engine.Tests
{
    public class ConnectVcsTests
    {
        [Fact]
        public void Connect_returns_a_server_object_and_publishes_it_as_default()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            PSObject server = ps.Connect();
            Assert.IsAssignableFrom<IVcsServer>(server.BaseObject);
            Assert.Equal("VMware.CloudServices.Impl.V1.CmdletOutput.VcsServerImpl", server.TypeNames[0]);
            Assert.Equal("Acme Cloud Operations", server.Properties["OrganizationName"].Value);
            Assert.Equal(true, server.Properties["IsConnected"].Value);
            Assert.Null(server.Properties["SessionSecret"].Value);
            var defaults = ps.Ok("$DefaultVcsServers");
            Assert.Same(server.BaseObject, Assert.Single(defaults).BaseObject);
            // The server works for the commands after it (the string-typed defect of the script module).
            Assert.True(ps.Ok("Get-VcsUser").Count == 40);
            Assert.Equal(true, ps.Ok("(Connect-Vcs -Server $url -ApiToken $token) -is [VMware.CloudServices.Types.V1.IVcsServer]").Single().BaseObject);
        }

        [Theory]
        [InlineData("$global:DefaultVcsServers = @()")]
        [InlineData("$global:DefaultVcsServers = $null")]
        [InlineData("$global:DefaultVcsServers = 'left over'")]
        [InlineData("$global:DefaultVcsServers = [System.Collections.ArrayList]::new(); $null = $global:DefaultVcsServers.Add(1)")]
        public void A_DefaultVcsServers_set_before_import_does_not_break_connect(string before)
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu, importModule: false);
            ps.Ok(before);
            ps.Ok("Import-Module $manifest");
            ps.Connect();
            Assert.Equal(40, ps.Ok("Get-VcsUser").Count);
            Assert.IsAssignableFrom<IVcsServer>(Assert.Single(ps.Ok("$DefaultVcsServers")).BaseObject);
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void DefaultVcsServers_are_empty_arrays_after_import(bool importedBySessionState)
        {
            using var ps = new PsSession(importModule: importedBySessionState);
            if (!importedBySessionState) ps.Ok("Import-Module $manifest");
            Assert.Equal(new object[] { 0, 0 }, ps.Ok("Set-StrictMode -Version Latest; $DefaultVcsServers.Count; $DefaultVcdServers.Count").Select(o => o.BaseObject));
        }

        [Fact]
        public void ApiToken_takes_text_and_SecureString_alike()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            var r = ps.Ok("$s = ConvertTo-SecureString $token -AsPlainText -Force; (Connect-Vcs -Server $url -ApiToken $s -NotDefault).IsConnected; (Connect-Vcs -Server $url -RefreshToken $token -NotDefault).IsConnected");
            Assert.Equal(new object[] { true, true }, r.Select(o => o.BaseObject));
        }

        [Fact]
        public void A_bad_token_is_an_authentication_error_that_does_not_show_the_token()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            RunResult r = ps.Run("Connect-Vcs -Server $url -ApiToken 'not-a-real-token-1234'");
            ErrorRecord e = r.OnlyError;
            Assert.Equal(ErrorCategory.AuthenticationError, e.CategoryInfo.Category);
            Assert.StartsWith("Vcs.authentication,", e.FullyQualifiedErrorId);
            Assert.Equal(emu.Url, e.TargetObject);
            Assert.DoesNotContain("not-a-real-token-1234", e.ToString());
            Assert.Equal(0, ps.Ok("$DefaultVcsServers.Count").Single().BaseObject);
        }

        [Fact]
        public void Connecting_twice_counts_references_and_disconnect_counts_down()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            PSObject again = ps.Connect();
            Assert.Equal(2, again.Properties["RefCount"].Value);
            Assert.Single(ps.Ok("$DefaultVcsServers"));
            ps.Ok("Disconnect-Vcs -Confirm:$false");
            Assert.Equal(true, ps.Ok("$DefaultVcsServers[0].IsConnected").Single().BaseObject);
            ps.Ok("Disconnect-Vcs -Confirm:$false");
            Assert.Empty(ps.Ok("$DefaultVcsServers"));
            Assert.Equal(false, again.Properties["IsConnected"].Value);
        }

        [Fact]
        public void NotDefault_keeps_the_connection_out_of_the_defaults_but_usable_by_name()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            PSObject s = Assert.Single(ps.Ok("Connect-Vcs -Server $url -ApiToken $token -NotDefault"));
            Assert.Empty(ps.Ok("$DefaultVcsServers"));
            Assert.StartsWith("Vcs.notConnected,", ps.Run("Get-VcsUser").OnlyError.FullyQualifiedErrorId);
            Assert.Equal(40, ps.Ok("Get-VcsUser -Server '" + s.Properties["Name"].Value + "'").Count);
        }

        [Fact]
        public void An_OAuth_security_context_connects_with_an_app_or_a_token_and_hides_its_secret()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Set("appId", emu.AppId);
            ps.Set("appSecret", emu.AppSecret);
            ps.Set("orgId", emu.OrgId);
            PSObject ctx = ps.Ok("New-VcsOAuthSecurityContext -VcsServer $url -AppId $appId -AppSecret $appSecret -OrganizationId $orgId").Single();
            Assert.Equal("Service", ctx.Properties["Type"].Value.ToString());
            Assert.Equal("VMware.CloudServices.Impl.V1.Authentication.VcsOAuthSecurityContextImpl", ctx.TypeNames[0]);
            Assert.DoesNotContain(ctx.Properties, p => p.Value is string v && v.Contains(emu.AppSecret));
            ps.Set("ctx", ctx);
            Assert.Equal(emu.OrgId, ps.Ok("(Connect-Vcs -OAuthSecurityContext $ctx).OrganizationId").Single().BaseObject);

            PSObject byToken = ps.Ok("New-VcsOAuthSecurityContext $url -ApiToken $token").Single();
            Assert.Equal("ApiToken", byToken.Properties["Type"].Value.ToString());
            Assert.StartsWith("****", (string)byToken.Properties["ApiTokenPreview"].Value);

            RunResult web = ps.Run("New-VcsOAuthSecurityContext $url -AppId $appId -AppSecret $appSecret -OrganizationId $orgId -RedirectUrl http://localhost:8080/cb");
            Assert.Contains("browser", web.OnlyError.Exception.Message);
            RunResult bad = ps.Run("New-VcsOAuthSecurityContext $url -AppId $appId -AppSecret 'wrong' -OrganizationId $orgId");
            Assert.Equal(ErrorCategory.AuthenticationError, bad.OnlyError.CategoryInfo.Category);
        }

        [Fact]
        public void Without_a_token_and_none_saved_connect_says_what_to_do()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            using var home = new TempConfigHome(ps);
            RunResult r = ps.Run("Connect-Vcs -Server $url");
            Assert.Contains("-ApiToken", r.OnlyError.Exception.Message);
        }

        [Fact]
        public void SaveApiToken_keeps_the_token_for_this_user_only_and_the_next_connect_uses_it()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            using var home = new TempConfigHome(ps);
            ps.Ok("$null = Connect-Vcs -Server $url -ApiToken $token -SaveApiToken -NotDefault");
            string file = System.IO.Path.Combine(home.Dir, "vcs-native", "credentials.json");
            Assert.True(System.IO.File.Exists(file));
            if (!System.OperatingSystem.IsWindows())
            {
                Assert.Equal(System.IO.UnixFileMode.UserRead | System.IO.UnixFileMode.UserWrite, System.IO.File.GetUnixFileMode(file));
            }
            Assert.Equal(emu.OrgId, ps.Ok("(Connect-Vcs -Server $url).OrganizationId").Single().BaseObject);
            Assert.Contains(emu.Url, ps.Run("Connect-Vcs -Menu").OnlyError.Exception.Message);
        }

        [Fact]
        public void Commands_without_a_connection_say_so()
        {
            using var ps = new PsSession();
            RunResult r = ps.Run("Get-VcsUser");
            Assert.StartsWith("Vcs.notConnected,", r.OnlyError.FullyQualifiedErrorId);
            Assert.Contains("Connect-Vcs", r.OnlyError.Exception.Message);
        }
    }

    /// <summary>Points the saved-token store at a fresh folder (XDG_CONFIG_HOME) for one test.</summary>
    public sealed class TempConfigHome : System.IDisposable
    {
        private static readonly object Gate = new object();

        public TempConfigHome(PsSession ps)
        {
            System.Threading.Monitor.Enter(Gate);
            Dir = System.IO.Directory.CreateTempSubdirectory("vcs-config-").FullName;
            previous = System.Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
            System.Environment.SetEnvironmentVariable("XDG_CONFIG_HOME", Dir);
        }

        private readonly string previous;
        public string Dir { get; }

        public void Dispose()
        {
            System.Environment.SetEnvironmentVariable("XDG_CONFIG_HOME", previous);
            System.IO.Directory.Delete(Dir, recursive: true);
            System.Threading.Monitor.Exit(Gate);
        }
    }
}
