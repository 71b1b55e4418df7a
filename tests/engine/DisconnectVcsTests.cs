using System.Linq;
using System.Management.Automation;
using Xunit;

namespace VcsNative.Engine.Tests
{
    public class DisconnectVcsTests
    {
        [Fact]
        public void Piping_the_defaults_disconnects_them_all()
        {
            using var emu = new Emulator();
            using var emu2 = new Emulator();
            using var ps = new PsSession(emu);
            ps.Set("url2", emu2.Url);
            ps.Set("token2", emu2.ApiToken);
            ps.Connect();
            ps.Ok("$null = Connect-Vcs -Server $url2 -ApiToken $token2");
            ps.Connect();
            Assert.Equal(2, ps.Ok("$DefaultVcsServers").Count);
            RunResult r = ps.Run("$DefaultVcsServers | Disconnect-Vcs -Force -Confirm:$false");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.ToString());
            Assert.Empty(ps.Ok("$DefaultVcsServers"));
        }

        [Fact]
        public void Server_takes_a_name_and_wildcards()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            PSObject s = ps.Connect();
            ps.Ok("Disconnect-Vcs -Server '" + s.Properties["Name"].Value + "' -Confirm:$false");
            Assert.Equal(false, s.Properties["IsConnected"].Value);
            ps.Connect();
            ps.Ok("Disconnect-Vcs -Server '*' -Confirm:$false");
            Assert.Empty(ps.Ok("$DefaultVcsServers"));
            RunResult r = ps.Run("Disconnect-Vcs -Server 'nothing-like-it' -Confirm:$false");
            Assert.Contains("nothing-like-it", r.OnlyError.Exception.Message);
        }

        [Fact]
        public void Without_a_connection_it_writes_one_error()
        {
            using var ps = new PsSession();
            RunResult r = ps.Run("Disconnect-Vcs -Confirm:$false");
            Assert.Null(r.Terminating);
            Assert.StartsWith("Vcs.notConnected,", Assert.Single(r.Errors).FullyQualifiedErrorId);
        }

        [Fact]
        public void Several_defaults_need_Server_or_Force()
        {
            using var emu = new Emulator();
            using var emu2 = new Emulator();
            using var ps = new PsSession(emu);
            ps.Set("url2", emu2.Url);
            ps.Set("token2", emu2.ApiToken);
            ps.Connect();
            ps.Ok("$null = Connect-Vcs -Server $url2 -ApiToken $token2");
            RunResult r = ps.Run("Disconnect-Vcs -Confirm:$false");
            Assert.Contains("-Force", Assert.Single(r.Errors).Exception.Message);
            Assert.Equal(2, ps.Ok("$DefaultVcsServers").Count);
            ps.Ok("Disconnect-Vcs -Force -Confirm:$false");
            Assert.Empty(ps.Ok("$DefaultVcsServers"));
        }

        [Fact]
        public void WhatIf_disconnects_nothing()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            PSObject s = ps.Connect();
            ps.Ok("Disconnect-Vcs -WhatIf");
            Assert.Equal(true, s.Properties["IsConnected"].Value);
        }

        [Fact]
        public void Several_defaults_without_Force_are_one_invalidArgument_error_naming_Server_and_Force()
        {
            using var emu = new Emulator();
            using var emu2 = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            ps.Ok("$null = Connect-Vcs -Server '" + emu2.Url + "' -ApiToken '" + emu2.ApiToken + "'");
            AssertSeveralDefaultsError(ps.Run("Disconnect-Vcs -Confirm:$false; 'went on'"));
            Assert.Equal(new object[] { true, true }, ps.Ok("$DefaultVcsServers.IsConnected").Select(o => o.BaseObject));
        }

        /// <summary>Disconnect-Vcs and Disconnect-Vcd alike: one error, the script goes on, and it names -Server and -Force with the defaults as target.</summary>
        internal static void AssertSeveralDefaultsError(RunResult r)
        {
            Assert.Null(r.Terminating);
            Assert.Equal(new object[] { "went on" }, r.Values);
            ErrorRecord e = Assert.Single(r.Errors);
            Assert.StartsWith("Vcs.invalidArgument,", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidArgument, e.CategoryInfo.Category);
            Assert.Contains("name one with -Server, or use -Force for all.", e.Exception.Message);
            Assert.Equal(2, Assert.IsAssignableFrom<System.Array>(e.TargetObject).Length);
        }

        [Fact]
        public void A_connection_disconnected_twice_says_it_is_not_connected()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Set("s", ps.Connect());
            ps.Ok("Disconnect-Vcs -Server $s -Confirm:$false");
            Assert.Equal(false, ps.Ok("$s.IsConnected").Single().BaseObject);
            ErrorRecord e = ps.Run("Disconnect-Vcs -Server $s -Confirm:$false").OnlyError;
            Assert.StartsWith("Vcs.notConnected,", e.FullyQualifiedErrorId);
            Assert.Contains("is not connected", e.Exception.Message);
        }

        [Fact]
        public void Force_closes_a_shared_connection_at_once()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            PSObject s = ps.Connect();
            Assert.Equal(2, s.Properties["RefCount"].Value);
            ps.Ok("Disconnect-Vcs -Force -Confirm:$false");
            Assert.Equal(false, s.Properties["IsConnected"].Value);
            Assert.Equal(0, s.Properties["RefCount"].Value);
            Assert.Empty(ps.Ok("$DefaultVcsServers"));
        }
    }
}
