using System;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using Xunit;

namespace VcsNative.Engine.Tests
{
    /// <summary>
    /// The rules every command that confirms what the library resolved shares (Set-VcsUser,
    /// Remove-VcsUser, Remove-VcdUser: VcsCmdlet.ConfirmResolved), checked for each family.
    /// </summary>
    [Collection("Timed")]
    public class ResolvedConfirmationTests
    {
        private static readonly string[] Temps = { "temp.one@partner.example.org", "temp.two@partner.example.org", "temp.three@partner.example.org" };

        /// <summary>Invites the addresses and accepts each invitation: they become plain members (org_member).</summary>
        private static void AddMembers(Emulator emu, PsSession ps)
        {
            ps.Set("joining", Temps);
            foreach (var i in ps.Ok("New-VcsUserInvitation -Email $joining -OrganizationRole org_member"))
            {
                emu.Control("/_emulator/invitations/" + i.Properties["Id"].Value + "/accept");
            }
            Assert.Equal(Temps.Length, CspState.Users(emu).Count(u => Temps.Contains(u.Username)));
        }

        private static int Sent(Emulator emu) => CspState.Requests(emu, "PATCH", "/roles") + CspState.Requests(emu, "DELETE", "/users");

        [Fact]
        public void Set_VcsUser_asks_once_per_resolved_user_naming_it_and_the_change_and_No_sends_nothing()
        {
            using var emu = new Emulator();
            var no = new AnsweringHost("N");
            using (var ps = new PsSession(emu, no))
            {
                ps.Connect();
                AddMembers(emu, ps);
                RunResult r = ps.Run("Set-VcsUser 'temp.*' -AddOrganizationRole developer -Confirm");
                Assert.Empty(r.AllErrors);
                Assert.Empty(r.Output);
                Assert.Equal(Temps.Length, no.Prompts.Count);
                foreach (string t in Temps) Assert.Single(no.Prompts, p => p.Contains(t));
                Assert.All(no.Prompts, p => Assert.Contains("Change roles:", p));
                Assert.All(no.Prompts, p => Assert.Contains("developer", p));
                Assert.DoesNotContain(no.Prompts, p => p.Contains("temp.*"));
                Assert.Equal(0, Sent(emu));
            }
            var yes = new AnsweringHost("Y");
            using (var ps = new PsSession(emu, yes))
            {
                ps.Connect();
                Assert.Equal(Temps.Length, ps.Ok("Set-VcsUser 'temp.*' -AddOrganizationRole developer -Confirm").Count);
                Assert.Equal(Temps.Length, yes.Prompts.Count);
                Assert.All(CspState.Users(emu).Where(u => Temps.Contains(u.Username)), u => Assert.Contains("developer", u.OrgRoles));
            }
        }

        [Theory]
        [InlineData("Set-VcsUser 'temp.*' -AddOrganizationRole developer -WhatIf")]
        [InlineData("Remove-VcsUser 'temp.*' -WhatIf")]
        [InlineData("Remove-VcsUser 'temp.*' -Force -WhatIf")]
        public void WhatIf_names_each_resolved_user_and_sends_nothing(string script)
        {
            using var emu = new Emulator();
            var host = new AnsweringHost("N");
            using var ps = new PsSession(emu, host);
            ps.Connect();
            AddMembers(emu, ps);
            int changes = CspState.Changes(emu);
            RunResult r = ps.Run(script);
            Assert.Empty(r.AllErrors);
            Assert.Empty(r.Output);
            Assert.Empty(host.Prompts);
            var whatIf = host.Lines.Where(l => l.StartsWith("What if:")).ToList();
            Assert.Equal(Temps.Length, whatIf.Count);
            foreach (string t in Temps) Assert.Single(whatIf, l => l.Contains(t));
            Assert.DoesNotContain(whatIf, l => l.Contains("temp.*"));
            Assert.Equal(changes, CspState.Changes(emu));
            Assert.Equal(Temps.Length, CspState.Users(emu).Count(u => Temps.Contains(u.Username)));
        }

        [Theory]
        [InlineData("Set-VcsUser -User 'temp.*', 'temp.one@partner.example.org', 'temp.t*' -AddOrganizationRole developer -Confirm", "PATCH", "/roles")]
        [InlineData("Remove-VcsUser -User 'temp.*', 'temp.one@partner.example.org', 'temp.t*'", "DELETE", "/users")]
        public void A_user_named_twice_is_asked_about_once_and_sent_once(string script, string method, string path)
        {
            using var emu = new Emulator();
            var yes = new AnsweringHost("Y");
            using var ps = new PsSession(emu, yes);
            ps.Connect();
            AddMembers(emu, ps);
            RunResult r = ps.Run(script);
            Assert.Empty(r.AllErrors);
            Assert.Equal(Temps.Length, yes.Prompts.Count);
            foreach (string t in Temps) Assert.Single(yes.Prompts, p => p.Contains(t));
            // One call, with each user once.
            Assert.InRange(CspState.Requests(emu, method, path), 1, Temps.Length);
            if (method == "DELETE") Assert.DoesNotContain(CspState.Users(emu), u => Temps.Contains(u.Username));
            else Assert.All(CspState.Users(emu).Where(u => Temps.Contains(u.Username)), u => Assert.Contains("developer", u.OrgRoles));
        }

        [Fact]
        public void Remove_VcdUser_AllowSelf_asks_once_about_the_signed_in_account_named_twice()
        {
            using var emu = new Emulator();
            var no = new AnsweringHost("N");
            using var ps = new PsSession(emu, no);
            ps.ConnectVcd(emu);
            ps.Set("self", ps.Ok("Get-VcdUser -Id $DefaultVcdServers[0].UserId").Single());
            // The dry run refuses the signed-in account for each input (field allowSelf): -AllowSelf asks, once.
            RunResult r = ps.Run("Remove-VcdUser $self, '" + emu.VcdUser + "' -AllowSelf -Confirm");
            Assert.Empty(r.AllErrors);
            Assert.Single(no.Prompts);
            Assert.Contains(emu.VcdUser, no.Prompts[0]);
            Assert.Equal(0, emu.Requests("DELETE /cloudapi/1.0.0/users/"));
        }

        [Theory]
        [InlineData("Set-VcsUser -User $temps -AddOrganizationRole developer -Confirm:$false", "Set-VcsUser")]
        [InlineData("Remove-VcsUser -User $temps -Force", "Remove-VcsUser")]
        public void A_stop_while_resolving_sends_nothing_and_reports_every_input_not_started(string script, string command)
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            AddMembers(emu, ps);
            ps.Set("temps", Temps);
            int changes = CspState.Changes(emu);
            // Every read is slow: the dry run is still resolving when the stop comes.
            emu.Control("/_emulator/faults", "{\"method\": \"GET\", \"path\": \"/csp/**\", \"latencyMs\": 3000}");
            using var pipe = PowerShell.Create(ps.Runspace);
            pipe.AddScript(script);
            IAsyncResult running = pipe.BeginInvoke();
            Thread.Sleep(800);
            Assert.False(running.IsCompleted, "the command ended before the stop");
            var stop = Stopwatch.StartNew();
            pipe.Stop();
            stop.Stop();
            Assert.True(stop.ElapsedMilliseconds < 500, "Stop took " + stop.ElapsedMilliseconds + " ms");
            var report = ps.Ok("$VcsStoppedReport").Select(o => (VcsBulkItem)o.BaseObject).ToList();
            Assert.Equal(Temps.Length, report.Count);
            Assert.All(report, i => Assert.Equal(command, i.Command));
            Assert.All(report, i => Assert.Equal("notStarted", i.Outcome));
            Assert.Equal(Temps.OrderBy(t => t), report.Select(i => i.Target?.Email ?? i.Input).OrderBy(t => t));
            Thread.Sleep(500);
            Assert.Equal(0, Sent(emu));
            Assert.Equal(changes, CspState.Changes(emu));
        }
    }
}
