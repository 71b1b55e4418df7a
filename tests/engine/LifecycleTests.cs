using System;
using System.Diagnostics;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace VcsNative.Engine.Tests
{
    /// <summary>Connections belong to their runspace: closing it or removing the module logs them out, within a bound.</summary>
    public sealed class LifecycleTests
    {
        private const string Logout = "DELETE /cloudapi/1.0.0/sessions/current";

        [Fact]
        public void Closing_the_runspace_logs_out_its_Cloud_Director_sessions()
        {
            using var emu = new Emulator(users: 3, vcdUsers: 3);
            var ps = new PsSession(emu);
            ps.Ok("$null = Connect-Vcd -Server $url -Org '" + emu.VcdOrg + "' -User '" + emu.VcdUser + "' -Password '" + emu.VcdPassword + "'");
            ps.Ok("$null = Connect-Vcd -Server $url -Org '" + emu.VcdOrg + "' -ApiToken '" + emu.VcdApiToken + "' -NotDefault");
            ps.Connect();
            Assert.Equal(0, emu.Requests(Logout));
            ps.Dispose();
            Assert.Equal(2, emu.Requests(Logout));
        }

        [Fact]
        public void Remove_Module_logs_out_and_the_connections_are_gone()
        {
            using var emu = new Emulator(users: 3, vcdUsers: 3);
            using var ps = new PsSession(emu);
            ps.Ok("$global:s = Connect-Vcd -Server $url -Org '" + emu.VcdOrg + "' -User '" + emu.VcdUser + "' -Password '" + emu.VcdPassword + "'");
            ps.Ok("$global:c = Connect-Vcs -Server $url -ApiToken $token");
            ps.Ok("Remove-Module VcsNative");
            Assert.Equal(1, emu.Requests(Logout));
            Assert.Equal(new object[] { false, false }, ps.Ok("$s.IsConnected; $c.IsConnected").Select(o => o.BaseObject).ToArray());
        }

        [Fact]
        public void A_hung_logout_holds_the_closing_runspace_for_the_bound_only()
        {
            // Private: the logout goes on in the background after the test.
            using var emu = new Emulator(users: 3, vcdUsers: 3, privateProcess: true);
            var ps = new PsSession(emu);
            ps.Ok("$null = Connect-Vcd -Server $url -Org '" + emu.VcdOrg + "' -User '" + emu.VcdUser + "' -Password '" + emu.VcdPassword + "'");
            emu.Control("/_emulator/faults", "{\"method\": \"DELETE\", \"path\": \"/cloudapi/1.0.0/sessions/current\", \"latencyMs\": 20000}");
            var clock = Stopwatch.StartNew();
            ps.Dispose();
            Assert.InRange(clock.Elapsed.TotalSeconds, 0, 4.5);
            Assert.Equal(1, emu.FaultHits());
        }

        [Fact]
        public void The_finalizer_never_waits_for_a_logout()
        {
            using var emu = new Emulator(users: 3, vcdUsers: 3, privateProcess: true);
            using var ps = new PsSession(emu);
            emu.Control("/_emulator/faults", "{\"method\": \"DELETE\", \"path\": \"/cloudapi/1.0.0/sessions/current\", \"latencyMs\": 20000}");
            Abandon(emu);
            var clock = Stopwatch.StartNew();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            Assert.InRange(clock.Elapsed.TotalSeconds, 0, 1.5);
            // The logout still happens, on the thread pool.
            var until = DateTime.UtcNow.AddSeconds(10);
            while (emu.FaultHits() == 0 && DateTime.UtcNow < until) System.Threading.Thread.Sleep(50);
            Assert.Equal(1, emu.FaultHits());
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static void Abandon(Emulator emu)
        {
            Vcd.Connect(JsonSerializer.Serialize(new { server = emu.Url, org = emu.VcdOrg, username = emu.VcdUser, password = emu.VcdPassword }), out VcdConnectionHandle session);
            Assert.NotNull(session);
        }
    }
}
