using System;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using Xunit;

namespace VcsNative.Engine.Tests
{
    /// <summary>The connect cmdlets follow the library's rules: blank servers, plain http, CA files; Ctrl+C stops them.</summary>
    [Collection("Timed")]
    public sealed class ConnectRulesTests
    {
        [Theory]
        [InlineData("Connect-Vcs -Server '   ' -ApiToken $token", "Server")]
        [InlineData("Connect-Vcs -Server '' -ApiToken $token", "Server")]
        [InlineData("Connect-Vcd -Server ' ' -Org acme -User u -Password p", "Server")]
        [InlineData("New-VcsOAuthSecurityContext -VcsServer '  ' -ApiToken $token", "VcsServer")]
        public void A_blank_server_is_refused_before_any_request(string script, string parameter)
        {
            using var emu = new Emulator(users: 3, vcdUsers: 3);
            using var ps = new PsSession(emu);
            ErrorRecord e = ps.Run(script).OnlyError;
            Assert.StartsWith("Vcs.invalidArgument,", e.FullyQualifiedErrorId);
            Assert.Contains("-" + parameter, e.Exception.Message);
            Assert.Equal(ErrorCategory.InvalidArgument, e.CategoryInfo.Category);
            Assert.Equal(0, emu.Stats().GetProperty("total").GetInt32());
            Assert.Empty(ps.Ok("$DefaultVcsServers; $DefaultVcdServers"));
        }

        /// <summary>
        /// A name that is not loopback and never resolves (RFC 6761 .invalid): the library refuses
        /// it by name before any lookup, so no packet leaves this machine; the tests here only ever
        /// talk to loopback.
        /// </summary>
        private const string ElsewhereUrl = "http://vcs.test.invalid:9";

        [Fact]
        public void Secrets_over_plain_http_to_another_host_need_AllowInsecureHttp()
        {
            using var emu = new Emulator(3, 6, 3);
            using var ps = new PsSession(emu);
            ps.Set("elsewhere", ElsewhereUrl);
            string vcd = " -Org '" + emu.VcdOrg + "' -User '" + emu.VcdUser + "' -Password '" + emu.VcdPassword + "'";
            string[] scripts =
            {
                "Connect-Vcs -Server $elsewhere -ApiToken $token",
                "New-VcsOAuthSecurityContext -VcsServer $elsewhere -ApiToken $token",
                "Connect-Vcd -Server $elsewhere" + vcd,
            };
            foreach (string script in scripts)
            {
                ErrorRecord e = ps.Run(script).OnlyError;
                Assert.Equal("Vcs.invalidArgument", e.FullyQualifiedErrorId.Split(',')[0]);
                Assert.Contains("-AllowInsecureHttp", e.Exception.Message);
                Assert.DoesNotContain("--allow-insecure-http", e.Exception.Message);
                Assert.DoesNotContain(emu.ApiToken, e.Exception.Message);
                Assert.DoesNotContain(emu.VcdPassword, e.Exception.Message);
            }
            // With the switch the library goes ahead: the refusal is gone and what fails is the
            // lookup of a name that cannot exist.
            foreach (string script in scripts)
            {
                ErrorRecord e = ps.Run(script + " -AllowInsecureHttp").OnlyError;
                Assert.DoesNotContain("-AllowInsecureHttp", e.Exception.Message);
                Assert.Equal("Vcs.network", e.FullyQualifiedErrorId.Split(',')[0]);
            }
            Assert.Empty(ps.Ok("$DefaultVcsServers; $DefaultVcdServers"));
            // Loopback needs no switch.
            Assert.Equal(emu.OrgId, ps.Ok("(Connect-Vcs -Server $url -ApiToken $token).OrganizationId").Single().BaseObject);
        }

        [Fact]
        public void The_CA_file_goes_to_the_library()
        {
            string dir = System.IO.Directory.CreateTempSubdirectory("vcs-ca-").FullName;
            try
            {
                string ca = System.IO.Path.Combine(dir, "ca.pem");
                using var emu = new Emulator(3, 6, 3, true, "--tls", "--tls-ca-out", ca);
                using var ps = new PsSession(emu);
                ps.Set("ca", ca);
                ps.Set("missing", System.IO.Path.Combine(dir, "missing.pem"));
                Assert.StartsWith("https://", emu.Url);
                // Without the CA the certificate is not trusted; with it, the connect succeeds.
                Assert.StartsWith("Vcs.", ps.Run("Connect-Vcs -Server $url -ApiToken $token").OnlyError.FullyQualifiedErrorId);
                Assert.Equal(emu.OrgId, ps.Ok("(Connect-Vcs -Server $url -ApiToken $token -CaCertificatePath $ca).OrganizationId").Single().BaseObject);
                Assert.Equal(emu.VcdOrg, ps.Ok("(Connect-Vcd -Server $url -Org '" + emu.VcdOrg + "' -User '" + emu.VcdUser + "' -Password '" + emu.VcdPassword + "' -CaCertificatePath $ca).Org").Single().BaseObject);
                ErrorRecord e = ps.Run("Connect-Vcs -Server $url -ApiToken $token -CaCertificatePath $missing -NotDefault").OnlyError;
                Assert.StartsWith("Vcs.", e.FullyQualifiedErrorId);
                Assert.Contains("missing.pem", e.Exception.Message);
            }
            finally
            {
                System.IO.Directory.Delete(dir, recursive: true);
            }
        }

        [Theory]
        [InlineData("Connect-Vcs -Server $url -ApiToken $token")]
        [InlineData("Connect-Vcd -Server $url -Org acme -User u -Password p")]
        [InlineData("Connect-CIServer -Server $url -Org acme -User u -Password p")]
        public void Stop_returns_at_once_while_the_server_never_answers(string script)
        {
            var silent = new TcpListener(IPAddress.Loopback, 0);
            silent.Start();
            try
            {
                using var ps = new PsSession();
                ps.Set("url", "http://127.0.0.1:" + ((IPEndPoint)silent.LocalEndpoint).Port);
                ps.Set("token", "any-token");
                using PowerShell shell = PowerShell.Create(ps.Runspace);
                shell.AddScript(script);
                IAsyncResult running = shell.BeginInvoke();
                using (TcpClient accepted = silent.AcceptTcpClient())
                {
                    Thread.Sleep(200);
                    Assert.False(running.IsCompleted);
                    var clock = Stopwatch.StartNew();
                    shell.Stop();
                    Assert.InRange(clock.Elapsed.TotalSeconds, 0, 0.3);
                }
                Assert.Equal(PSInvocationState.Stopped, shell.InvocationStateInfo.State);
            }
            finally
            {
                silent.Stop();
            }
        }

        [Fact]
        public void A_session_made_after_the_stop_is_logged_out_and_never_published()
        {
            using var emu = new Emulator(users: 3, vcdUsers: 3, privateProcess: true);
            using var ps = new PsSession(emu);
            emu.Control("/_emulator/faults", "[{\"method\": \"POST\", \"path\": \"/cloudapi/1.0.0/sessions\", \"latencyMs\": 1000},"
                + " {\"method\": \"POST\", \"path\": \"/csp/gateway/am/api/auth/api-tokens/authorize\", \"latencyMs\": 1000}]");
            foreach (string script in new[]
            {
                "Connect-Vcd -Server $url -Org '" + emu.VcdOrg + "' -User '" + emu.VcdUser + "' -Password '" + emu.VcdPassword + "'",
                "Connect-Vcs -Server $url -ApiToken $token",
            })
            {
                using PowerShell shell = PowerShell.Create(ps.Runspace);
                shell.AddScript(script);
                shell.BeginInvoke();
                Thread.Sleep(300);
                var clock = Stopwatch.StartNew();
                shell.Stop();
                Assert.InRange(clock.Elapsed.TotalSeconds, 0, 0.3);
            }
            // The connects complete on their workers after the stop; the session is logged out at once.
            var until = DateTime.UtcNow.AddSeconds(10);
            while (emu.Requests("DELETE /cloudapi/1.0.0/sessions/current") == 0 && DateTime.UtcNow < until) Thread.Sleep(50);
            Assert.Equal(1, emu.Requests("DELETE /cloudapi/1.0.0/sessions/current"));
            Assert.Empty(ps.Ok("$DefaultVcsServers; $DefaultVcdServers"));
        }
    }
}
