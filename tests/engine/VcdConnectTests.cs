using System.Linq;
using System.Management.Automation;
using Xunit;

namespace VcsNative.Engine.Tests
{
    public class VcdConnectTests
    {
        [Fact]
        public void Credential_connects_and_returns_the_session_object_published_as_default()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.SetVcdVariables(emu);
            PSObject session = ps.Ok("$cred = [pscredential]::new($vcdUser, (ConvertTo-SecureString $vcdPassword -AsPlainText -Force)); Connect-Vcd $vcdUrl -Org $vcdOrg -Credential $cred").Single();
            var s = Assert.IsType<VcdServer>(session.BaseObject);
            Assert.Equal("VcsNative.VcdServer", session.TypeNames[0]);
            Assert.True(s.IsConnected);
            Assert.Equal(emu.VcdOrg, s.Org);
            Assert.Equal(emu.VcdUser, s.User);
            Assert.False(s.IsProvider);
            Assert.Contains("Organization Administrator", s.Roles);
            Assert.Same(s, Assert.Single(ps.Ok("$DefaultVcdServers")).BaseObject);
            Assert.Equal(true, ps.Ok("$DefaultVcdServers[0] -is [VcsNative.VcdServer]").Single().BaseObject);
            // The session works for the commands after it.
            Assert.Equal(emu.TenantUsers().Count, ps.Ok("Get-VcdUser").Count);
            Assert.DoesNotContain(session.Properties, p => p.Value?.ToString()?.Contains(emu.VcdPassword) == true);
        }

        [Theory]
        [InlineData("Connect-Vcd -Server $vcdUrl -Org $vcdOrg -User $vcdUser -Password $vcdPassword")]
        [InlineData("Connect-Vcd -Server $vcdUrl -Organization $vcdOrg -User $vcdUser -Password (ConvertTo-SecureString $vcdPassword -AsPlainText -Force)")]
        [InlineData("Connect-Vcd -Server $vcdUrl -Org $vcdOrg -ApiToken $vcdToken")]
        [InlineData("Connect-Vcd -Server $vcdUrl -Org $vcdOrg -ApiToken (ConvertTo-SecureString $vcdToken -AsPlainText -Force)")]
        public void User_and_Password_or_ApiToken_take_text_and_SecureString_alike(string script)
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.SetVcdVariables(emu);
            var s = ps.Ok(script).Single().Base<VcdServer>();
            Assert.True(s.IsConnected);
            Assert.Equal(emu.VcdUser, s.User);
            Assert.Equal(script.Contains("ApiToken") ? "ApiToken" : "Password", s.AuthenticationType);
            Assert.Equal(1, emu.VcdSessionCount());
        }

        [Fact]
        public void Org_System_logs_in_as_the_provider()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.SetVcdVariables(emu);
            var s = ps.Ok("Connect-Vcd $vcdUrl -Org System -User administrator -Password $vcdPassword").Single().Base<VcdServer>();
            Assert.True(s.IsProvider);
            Assert.Equal("System", s.Org);
            Assert.Contains("System Administrator", s.Roles);
        }

        [Theory]
        [InlineData("Connect-Vcd $vcdUrl -Org $vcdOrg -User $vcdUser -Password 'Wrong-Password-4711'")]
        [InlineData("Connect-Vcd $vcdUrl -Org $vcdOrg -Credential ([pscredential]::new($vcdUser, (ConvertTo-SecureString 'Wrong-Password-4711' -AsPlainText -Force)))")]
        [InlineData("Connect-Vcd $vcdUrl -Org $vcdOrg -ApiToken 'Wrong-Password-4711'")]
        public void A_wrong_password_is_an_authentication_error_that_does_not_show_it(string script)
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.SetVcdVariables(emu);
            RunResult r = ps.Run(script);
            Assert.Empty(r.Output);
            ErrorRecord e = r.OnlyError;
            Assert.Equal(ErrorCategory.AuthenticationError, e.CategoryInfo.Category);
            Assert.StartsWith("Vcs.authentication,", e.FullyQualifiedErrorId);
            Assert.Equal(emu.VcdUrl, e.TargetObject);
            Assert.DoesNotContain("Wrong-Password-4711", e.ToString());
            Assert.DoesNotContain("Wrong-Password-4711", e.Exception.ToString());
            Assert.Empty(ps.Ok("$DefaultVcdServers"));
            Assert.Equal(0, emu.VcdSessionCount());
        }

        [Theory]
        [InlineData("$global:DefaultVcdServers = @()")]
        [InlineData("$global:DefaultVcdServers = $null")]
        [InlineData("$global:DefaultVcdServers = 'left over'")]
        [InlineData("$global:DefaultVcdServers = [System.Collections.ArrayList]::new(); $null = $global:DefaultVcdServers.Add(1)")]
        public void A_DefaultVcdServers_set_before_import_does_not_break_connect(string before)
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu, importModule: false);
            ps.Ok(before);
            ps.Ok("Import-Module $manifest");
            PSObject s = ps.ConnectVcd(emu);
            Assert.Same(s.BaseObject, Assert.Single(ps.Ok("$DefaultVcdServers")).BaseObject);
            Assert.Equal(emu.TenantUsers().Count, ps.Ok("Get-VcdUser").Count);
        }

        [Fact]
        public void NotDefault_keeps_the_session_out_of_the_defaults_but_usable_by_object_and_name()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.SetVcdVariables(emu);
            var s = ps.Ok("Connect-Vcd $vcdUrl -Org $vcdOrg -User $vcdUser -Password $vcdPassword -NotDefault").Single().Base<VcdServer>();
            Assert.Empty(ps.Ok("$DefaultVcdServers"));
            Assert.StartsWith("Vcs.notConnected,", ps.Run("Get-VcdUser").OnlyError.FullyQualifiedErrorId);
            ps.Set("s", s);
            int count = emu.TenantUsers().Count;
            Assert.Equal(count, ps.Ok("Get-VcdUser -Server $s").Count);
            Assert.Equal(count, ps.Ok("Get-VcdUser -Server '" + s.Name + "'").Count);
        }

        [Fact]
        public void Logging_in_again_as_the_same_user_shares_the_session_and_disconnect_counts_down()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            PSObject first = ps.ConnectVcd(emu);
            PSObject again = ps.ConnectVcd(emu);
            Assert.Same(first.BaseObject, again.BaseObject);
            Assert.Equal(2, again.Properties["RefCount"].Value);
            Assert.Single(ps.Ok("$DefaultVcdServers"));
            // Users are listed once, not once per login.
            Assert.Equal(emu.TenantUsers().Count, ps.Ok("Get-VcdUser").Count);
            ps.Ok("Disconnect-Vcd -Confirm:$false");
            Assert.Equal(true, first.Properties["IsConnected"].Value);
            ps.Ok("Disconnect-Vcd -Confirm:$false");
            Assert.Equal(false, first.Properties["IsConnected"].Value);
            Assert.Empty(ps.Ok("$DefaultVcdServers"));
        }

        [Fact]
        public void Missing_credentials_are_the_engines_missing_parameter_error_and_no_login()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.SetVcdVariables(emu);
            RunResult r = ps.Run("Connect-Vcd $vcdUrl -Org $vcdOrg");
            Assert.Empty(r.Output);
            Assert.Contains("Credential", r.OnlyError.Exception.Message);
            Assert.Equal(0, emu.VcdSessionCount());
        }

        [Fact]
        public void Commands_without_a_session_say_to_connect()
        {
            using var ps = new PsSession();
            foreach (string script in new[] { "Get-VcdUser", "Get-VcdRole", "Remove-VcdUser x -Confirm:$false", "New-VcdUser x -Role r -Password 'abcdef1' -Confirm:$false", "Set-VcdUser x -FullName y" })
            {
                RunResult r = ps.Run(script);
                Assert.StartsWith("Vcs.notConnected,", r.OnlyError.FullyQualifiedErrorId);
                Assert.Contains("Connect-Vcd", r.OnlyError.Exception.Message);
            }
        }
    }
}
