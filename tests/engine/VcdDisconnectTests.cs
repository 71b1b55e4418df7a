using System.Linq;
using System.Management.Automation;
using Xunit;

namespace VcsNative.Engine.Tests
{
    public class VcdDisconnectTests
    {
        [Fact]
        public void Piping_the_defaults_disconnects_them_all_and_logs_out()
        {
            using var emu = new Emulator();
            using var emu2 = new Emulator();
            using var ps = new PsSession(emu);
            ps.ConnectVcd(emu);
            ps.Set("url2", emu2.VcdUrl);
            ps.Set("password2", emu2.VcdPassword);
            ps.Ok("$null = Connect-Vcd $url2 -Org acme -User vcd-admin -Password $password2");
            Assert.Equal(2, ps.Ok("$DefaultVcdServers").Count);
            Assert.Equal(1, emu.VcdSessionCount());
            RunResult r = ps.Run("$DefaultVcdServers | Disconnect-Vcd -Confirm:$false");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.ToString());
            Assert.Empty(ps.Ok("$DefaultVcdServers"));
            Assert.Equal(0, emu.VcdSessionCount());
            Assert.Equal(0, emu2.VcdSessionCount());
        }

        [Fact]
        public void A_session_disconnected_twice_says_it_is_not_connected_and_IsConnected_is_false()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Set("s", ps.ConnectVcd(emu));
            ps.Ok("Disconnect-Vcd -Server $s -Confirm:$false");
            // The script module failed here with "The property 'IsConnected' cannot be found".
            Assert.Equal(false, ps.Ok("$s.IsConnected").Single().BaseObject);
            RunResult r = ps.Run("Disconnect-Vcd -Server $s -Confirm:$false");
            ErrorRecord e = r.OnlyError;
            Assert.StartsWith("Vcs.notConnected,", e.FullyQualifiedErrorId);
            Assert.DoesNotContain("cannot be found", e.ToString());
            Assert.StartsWith("Vcs.notConnected,", ps.Run("Get-VcdUser -Server $s").OnlyError.FullyQualifiedErrorId);
        }

        [Fact]
        public void Server_takes_a_name_and_wildcards_and_refuses_unknown_names()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            var s = ps.ConnectVcd(emu).Base<VcdServer>();
            ps.Ok("Disconnect-Vcd -Server '" + s.Name + "' -Confirm:$false");
            Assert.False(s.IsConnected);
            var s2 = ps.ConnectVcd(emu).Base<VcdServer>();
            ps.Ok("Disconnect-Vcd '127.0.0.*' -Confirm:$false");
            Assert.False(s2.IsConnected);
            Assert.Empty(ps.Ok("$DefaultVcdServers"));
            RunResult r = ps.Run("Disconnect-Vcd -Server 'nothing-like-it' -Confirm:$false");
            Assert.Contains("nothing-like-it", r.OnlyError.Exception.Message);
        }

        [Fact]
        public void Without_a_session_it_writes_one_non_terminating_error()
        {
            using var ps = new PsSession();
            RunResult r = ps.Run("Disconnect-Vcd -Confirm:$false; 'went on'");
            Assert.Null(r.Terminating);
            Assert.Equal(new object[] { "went on" }, r.Values);
            Assert.StartsWith("Vcs.notConnected,", Assert.Single(r.Errors).FullyQualifiedErrorId);
        }

        [Fact]
        public void Several_defaults_need_Server_or_Force()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.ConnectVcd(emu);
            ps.Ok("$null = Connect-Vcd $vcdUrl -Org System -User administrator -Password $vcdPassword");
            RunResult r = ps.Run("Disconnect-Vcd -Confirm:$false");
            Assert.Contains("-Force", Assert.Single(r.Errors).Exception.Message);
            Assert.Equal(2, ps.Ok("$DefaultVcdServers").Count);
            Assert.Equal(2, emu.VcdSessionCount());
            ps.Ok("Disconnect-Vcd -Force -Confirm:$false");
            Assert.Empty(ps.Ok("$DefaultVcdServers"));
            Assert.Equal(0, emu.VcdSessionCount());
        }

        [Fact]
        public void WhatIf_disconnects_nothing()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            var s = ps.ConnectVcd(emu).Base<VcdServer>();
            ps.Ok("Disconnect-Vcd -WhatIf; $DefaultVcdServers | Disconnect-Vcd -WhatIf");
            Assert.True(s.IsConnected);
            Assert.Single(ps.Ok("$DefaultVcdServers"));
            Assert.Equal(1, emu.VcdSessionCount());
        }

        [Fact]
        public void Several_defaults_without_Force_are_one_invalidArgument_error_naming_Server_and_Force()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.ConnectVcd(emu);
            ps.Ok("$null = Connect-Vcd $vcdUrl -Org System -User administrator -Password $vcdPassword");
            DisconnectVcsTests.AssertSeveralDefaultsError(ps.Run("Disconnect-Vcd -Confirm:$false; 'went on'"));
            Assert.Equal(2, emu.VcdSessionCount());
        }

        [Fact]
        public void A_second_login_is_logged_out_at_once_and_Force_logs_out_the_shared_session()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            var s = ps.ConnectVcd(emu).Base<VcdServer>();
            ps.ConnectVcd(emu);
            Assert.Equal(2, s.RefCount);
            Assert.Equal(1, emu.VcdSessionCount());
            ps.Ok("Disconnect-Vcd -Force -Confirm:$false");
            Assert.False(s.IsConnected);
            Assert.Equal(0, s.RefCount);
            Assert.Equal(0, emu.VcdSessionCount());
            Assert.Empty(ps.Ok("$DefaultVcdServers"));
        }

        [Fact]
        public void A_hung_logout_is_a_warning_after_the_bound_and_the_session_is_closed()
        {
            // Private: the logout goes on in the background after the test.
            using var emu = new Emulator(users: 3, vcdUsers: 3, privateProcess: true);
            using var ps = new PsSession(emu);
            var s = ps.ConnectVcd(emu).Base<VcdServer>();
            emu.Control("/_emulator/faults", "{\"method\": \"DELETE\", \"path\": \"/cloudapi/1.0.0/sessions/current\", \"latencyMs\": 20000}");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            RunResult r = ps.Run("Disconnect-Vcd -Confirm:$false");
            Assert.InRange(clock.Elapsed.TotalSeconds, 2.5, 8);
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.ToString());
            Assert.Contains("did not finish within 3 s; it goes on in the background", Assert.Single(r.Warnings));
            Assert.False(s.IsConnected);
            Assert.Empty(ps.Ok("$DefaultVcdServers"));
        }
    }
}
