using System.Linq;
using System.Management.Automation;
using Xunit;

namespace VcsNative.Engine.Tests
{
    public class VcdRemoveUserTests
    {
        private static readonly string[] Temps = { "temp.a", "temp.b" };

        private static void AssertNothingRemoved(Emulator emu)
        {
            var names = emu.TenantUsernames();
            foreach (string t in Temps) Assert.Contains(t, names);
            Assert.Equal(0, emu.Requests("DELETE /cloudapi/1.0.0/users"));
        }

        private static void AssertRemoved(Emulator emu, int othersBefore)
        {
            var names = emu.TenantUsernames();
            foreach (string t in Temps) Assert.DoesNotContain(t, names);
            Assert.Equal(othersBefore, names.Count);
        }

        [Theory]
        [InlineData("Remove-VcdUser temp.a")]
        [InlineData("Get-VcdUser -Name 'temp.*' | Remove-VcdUser")]
        [InlineData("Remove-VcdUser 'temp.*' -Force -Confirm")]
        public void Without_a_UI_a_removal_that_would_ask_fails_with_the_engines_error_and_removes_nothing(string script)
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.ConnectVcd(emu);
            ps.CreateUsers(Temps);
            RunResult r = ps.Run(script);
            Assert.Contains("user interaction", r.OnlyError.ToString());
            AssertNothingRemoved(emu);
        }

        [Theory]
        [InlineData("Get-VcdUser -Name 'temp.*' | Remove-VcdUser")]
        [InlineData("Get-VcdUser -Name 'temp.*' | Remove-VcdUser -Force -Confirm")]
        public void Answering_No_removes_nothing(string script)
        {
            using var emu = new Emulator();
            var host = new AnsweringHost("N");
            using var ps = new PsSession(emu, host);
            ps.ConnectVcd(emu);
            ps.CreateUsers(Temps);
            ps.Ok(script);
            Assert.Equal(2, host.Prompts.Count);
            // One question per user, in the order the listing gave them.
            Assert.Single(host.Prompts, p => p.Contains("temp.a"));
            Assert.Single(host.Prompts, p => p.Contains("temp.b"));
            AssertNothingRemoved(emu);
        }

        [Fact]
        public void Answering_Yes_removes()
        {
            using var emu = new Emulator();
            var host = new AnsweringHost("Y");
            using var ps = new PsSession(emu, host);
            ps.ConnectVcd(emu);
            int others = emu.TenantUsers().Count;
            ps.CreateUsers(Temps);
            ps.Ok("Get-VcdUser -Name 'temp.*' | Remove-VcdUser");
            Assert.Equal(2, host.Prompts.Count);
            AssertRemoved(emu, others);
        }

        [Theory]
        [InlineData("Get-VcdUser -Name 'temp.*' | Remove-VcdUser -Confirm:$false", false)]
        [InlineData("Get-VcdUser -Name 'temp.*' | Remove-VcdUser -Force", false)]
        [InlineData("Get-VcdUser -Name 'temp.*' | Remove-VcdUser -Force", true)]
        [InlineData("Remove-VcdUser 'temp.*' -Confirm:$false", false)]
        [InlineData("Remove-VcdUser -User temp.a, temp.b -Force", false)]
        public void Force_or_Confirm_false_removes_without_asking(string script, bool withHostThatSaysNo)
        {
            using var emu = new Emulator();
            var host = new AnsweringHost("N");
            using var ps = withHostThatSaysNo ? new PsSession(emu, host) : new PsSession(emu);
            ps.ConnectVcd(emu);
            int others = emu.TenantUsers().Count;
            ps.CreateUsers(Temps);
            RunResult r = ps.Run(script);
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.ToString());
            Assert.Empty(host.Prompts);
            AssertRemoved(emu, others);
        }

        [Theory]
        [InlineData("Get-VcdUser -Name 'temp.*' | Remove-VcdUser -WhatIf")]
        [InlineData("Get-VcdUser -Name 'temp.*' | Remove-VcdUser -Force -WhatIf")]
        [InlineData("Remove-VcdUser 'temp.*' -Confirm:$false -WhatIf")]
        [InlineData("$WhatIfPreference = $true; Remove-VcdUser 'temp.*' -Force")]
        public void WhatIf_removes_nothing_and_never_calls_the_service(string script)
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.ConnectVcd(emu);
            ps.CreateUsers(Temps);
            ps.Ok(script);
            AssertNothingRemoved(emu);
        }

        [Fact]
        public void Each_item_that_cannot_be_removed_is_one_error_and_the_others_are_removed()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            var session = ps.ConnectVcd(emu).Base<VcdServer>();
            ps.CreateUsers(Temps);
            const string unknownUrn = "urn:vcloud:user:00000000-0000-0000-0000-00000000beef";
            ps.Set("self", ps.Ok("Get-VcdUser -Id $DefaultVcdServers[0].UserId").Single());
            RunResult r = ps.Run("Remove-VcdUser 'nobody.here', '" + unknownUrn + "', 'temp.a', $self, 'temp.b' -Confirm:$false");
            Assert.Null(r.Terminating);
            Assert.Equal(3, r.Errors.Count);
            Assert.Equal("nobody.here", r.Errors[0].TargetObject);
            Assert.Equal(ErrorCategory.ObjectNotFound, r.Errors[0].CategoryInfo.Category);
            Assert.Equal(unknownUrn, r.Errors[1].TargetObject);
            Assert.Equal(ErrorCategory.ObjectNotFound, r.Errors[1].CategoryInfo.Category);
            // The signed-in account is refused without -AllowSelf; the error targets the resolved user and names the parameter.
            Assert.Equal(session.UserId, Assert.IsType<VcsBulkTarget>(r.Errors[2].TargetObject).Id);
            Assert.Contains("-AllowSelf", r.Errors[2].Exception.Message);
            Assert.DoesNotContain("--allow-self", r.Errors[2].Exception.Message);
            var names = emu.TenantUsernames();
            Assert.DoesNotContain("temp.a", names);
            Assert.DoesNotContain("temp.b", names);
            Assert.Contains(emu.VcdUser, names);
        }

        [Fact]
        public void Server_by_name_and_piped_users_act_on_their_own_session()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.SetVcdVariables(emu);
            var s = ps.Ok("Connect-Vcd $vcdUrl -Org $vcdOrg -User $vcdUser -Password $vcdPassword -NotDefault").Single().Base<VcdServer>();
            ps.Set("s", s);
            int others = emu.TenantUsers().Count;
            ps.Ok("$null = New-VcdUser temp.a -Password 'Temp-pass-a1' -Role 'vApp User' -Server '" + s.Name + "' -Confirm:$false");
            ps.Ok("$null = New-VcdUser temp.b -Password 'Temp-pass-b1' -Role 'vApp User' -Server $s -Confirm:$false");
            Assert.Empty(ps.Ok("$DefaultVcdServers"));
            ps.Ok("Remove-VcdUser temp.a -Server '" + s.Name + "' -Confirm:$false");
            Assert.DoesNotContain("temp.a", emu.TenantUsernames());
            ps.Ok("Get-VcdUser -Server $s -Name 'temp.*' | Remove-VcdUser -Confirm:$false");
            Assert.Equal(others, emu.TenantUsers().Count);
        }
    }
}
