using System;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using VMware.CloudServices.Types.V1.CmdletOutput;
using Xunit;

namespace VcsNative.Engine.Tests
{
    [Collection("Timed")]
    public class SetVcsUserTests
    {
        /// <summary>Members who are neither owners nor developers: a role to add that they lack.</summary>
        private static CspState.StoredUser[] Plain(Emulator emu) =>
            CspState.Users(emu).Where(u => !u.OrgRoles.Contains("org_owner") && !u.OrgRoles.Contains("developer")).ToArray();

        private static int Patches(Emulator emu) => CspState.Requests(emu, "PATCH", "/roles");

        private static string RolesPath(Emulator emu, string id) => "/csp/gateway/am/api/v3/users/" + Uri.EscapeDataString(id) + "/orgs/*/roles";

        [Fact]
        public void A_role_is_added_and_the_user_comes_back_with_its_new_roles()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            var who = Plain(emu)[0];
            var user = (IVcsUser)ps.Ok("Set-VcsUser -User '" + who.Username + "' -AddOrganizationRole developer -Confirm:$false").Single().BaseObject;
            Assert.Equal(who.Id, user.Id);
            Assert.Contains("developer", ((VMware.CloudServices.Impl.V1.CmdletOutput.VcsUserImpl)user).OrganizationRoles);
            Assert.Contains("developer", CspState.Users(emu).Single(u => u.Id == who.Id).OrgRoles);
            Assert.Equal(1, Patches(emu));
        }

        [Fact]
        public void A_user_who_already_holds_the_roles_comes_back_unchanged_and_nothing_is_sent()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            var who = Plain(emu).First(u => u.OrgRoles.Contains("org_member"));
            var output = ps.Ok("Get-VcsUser -Email '" + who.Username + "' | Set-VcsUser -AddOrganizationRole org_member -Confirm:$false");
            Assert.Equal(who.Id, ((IVcsUser)output.Single().BaseObject).Id);
            Assert.Equal(0, Patches(emu));
            Assert.Equal(0, CspState.Changes(emu));
        }

        [Fact]
        public void WhatIf_resolves_and_names_each_user_but_sends_nothing()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            var three = Plain(emu).Take(3).Select(u => u.Username).ToArray();
            ps.Set("three", three);
            RunResult r = ps.Run("Set-VcsUser -User $three -AddOrganizationRole developer -WhatIf");
            Assert.Empty(r.AllErrors);
            Assert.Empty(r.Output);
            Assert.Equal(0, Patches(emu));
            Assert.All(three, e => Assert.DoesNotContain("developer", CspState.Users(emu).Single(u => u.Username == e).OrgRoles));
        }

        [Fact]
        public void Piped_users_are_changed_and_an_unknown_one_is_one_error_naming_it()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            var two = Plain(emu).Take(2).Select(u => u.Username).ToArray();
            ps.Set("names", new[] { two[0], "nobody.here@nowhere.example", two[1] });
            RunResult r = ps.Run("$names | Set-VcsUser -AddOrganizationRole developer -Confirm:$false");
            Assert.Equal(two.OrderBy(x => x), r.Output.Select(o => ((IVcsUser)o.BaseObject).Username).OrderBy(x => x));
            ErrorRecord e = r.OnlyError;
            Assert.Equal("nobody.here@nowhere.example", e.TargetObject);
            Assert.StartsWith("Vcs.notFound", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
            Assert.Equal(2, Patches(emu));
        }

        [Fact]
        public void A_server_error_on_one_user_is_one_error_naming_that_user_and_the_others_change()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            var four = Plain(emu).Take(4).ToArray();
            emu.Control("/_emulator/faults", "{\"method\": \"PATCH\", \"path\": \"" + RolesPath(emu, four[1].Id) + "\", \"status\": 500, \"times\": 50}");
            ps.Set("names", four.Select(u => u.Username).ToArray());
            RunResult r = ps.Run("Set-VcsUser -User $names -AddOrganizationRole developer -Confirm:$false");
            ErrorRecord e = r.OnlyError;
            Assert.Contains(four[1].Username, e.TargetObject.ToString());
            Assert.Contains(four[1].Username, e.Exception.Message);
            Assert.Equal(new[] { four[0].Id, four[2].Id, four[3].Id }.OrderBy(x => x), r.Output.Select(o => ((IVcsUser)o.BaseObject).Id).OrderBy(x => x));
            var after = CspState.Users(emu);
            Assert.DoesNotContain("developer", after.Single(u => u.Id == four[1].Id).OrgRoles);
            Assert.All(new[] { four[0], four[2], four[3] }, w => Assert.Contains("developer", after.Single(u => u.Id == w.Id).OrgRoles));
        }

        [Theory]
        [InlineData("Set-VcsUser -User 'a*' -AddOrganizationRole no_such_role -Confirm:$false", "-AddOrganizationRole")]
        [InlineData("Set-VcsUser -User 'a*' -RemoveServiceRole 'No Such Service=x' -Confirm:$false", "-RemoveServiceRole")]
        [InlineData("Set-VcsUser -User 'a*' -Confirm:$false", "-AddOrganizationRole")]
        public void Bad_roles_are_errors_naming_the_parameter_and_nothing_is_sent(string script, string parameter)
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            RunResult r = ps.Run(script);
            Assert.NotEmpty(r.AllErrors);
            Assert.All(r.AllErrors, e => Assert.Contains(parameter, e.Exception.Message));
            Assert.All(r.AllErrors, e => Assert.StartsWith("Vcs.invalidArgument", e.FullyQualifiedErrorId));
            Assert.Equal(0, CspState.Changes(emu));
        }

        [Theory]
        [InlineData("Set-VcsUser -User $null -AddOrganizationRole developer -Confirm:$false")]
        [InlineData("Set-VcsUser -User '' -AddOrganizationRole developer -Confirm:$false")]
        [InlineData("Set-VcsUser -User 'a*' -AddOrganizationRole $null -Confirm:$false")]
        [InlineData("Set-VcsUser -User 'a*' -AddOrganizationRole '' -Confirm:$false")]
        public void An_empty_user_or_role_is_refused(string script)
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            Assert.Contains("ParameterArgumentValidationError", ps.Run(script).OnlyError.FullyQualifiedErrorId);
            Assert.Equal(0, CspState.Changes(emu));
        }

        [Fact]
        public void The_tour_form_with_a_service_role_as_text_adds_it()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            var who = Plain(emu)[0];
            var user = (VMware.CloudServices.Impl.V1.CmdletOutput.VcsUserImpl)ps.Ok("Set-VcsUser -User " + who.Username
                + " -AddOrganizationRole developer -AddServiceRole 'VMware Cloud on AWS=nsx:cloud_admin' -Confirm:$false").Single().BaseObject;
            Assert.Contains("developer", user.OrganizationRoles);
            Assert.Contains(user.ServiceRoles, g => g.ServiceName == "VMware Cloud on AWS" && g.Roles.Contains("nsx:cloud_admin"));
            var stored = emu.State().GetProperty("users").EnumerateArray().Single(u => u.GetProperty("userId").GetString() == who.Id);
            Assert.Contains("nsx:cloud_admin", stored.GetRawText());
        }

        [Fact]
        public void Stopping_a_slow_change_returns_at_once_and_what_was_written_was_done()
        {
            using var emu = new Emulator(users: 60);
            using var ps = new PsSession(emu);
            ps.Connect();
            var many = Plain(emu).Take(30).Select(u => u.Username).ToArray();
            emu.Control("/_emulator/faults", "{\"method\": \"PATCH\", \"path\": \"/csp/gateway/am/api/v3/users/*/orgs/*/roles\", \"latencyMs\": 400}");
            ps.Set("many", many);
            using PowerShell shell = PowerShell.Create(ps.Runspace);
            shell.AddScript("Set-VcsUser -User $many -AddOrganizationRole developer -Confirm:$false");
            var output = new PSDataCollection<PSObject>();
            shell.BeginInvoke<PSObject, PSObject>(null, output);
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (Patches(emu) < 3 && DateTime.UtcNow < deadline) Thread.Sleep(20);
            Assert.True(Patches(emu) >= 3, "nothing was sent in time");
            var watch = Stopwatch.StartNew();
            shell.Stop();
            watch.Stop();
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(0.3), "Stop took " + watch.Elapsed);
            Thread.Sleep(600);
            // A stopped pipeline takes no output: each user's outcome is kept in $VcsStoppedReport.
            var developers = CspState.Users(emu).Where(u => u.OrgRoles.Contains("developer")).Select(u => u.Username).ToHashSet();
            var report = ps.Ok("$VcsStoppedReport").Select(o => (VcsBulkItem)o.BaseObject).ToList();
            Assert.Equal(many.Length, report.Count);
            Assert.All(report.Where(i => i.Outcome == "updated"), i => Assert.Contains(i.Target.Email, developers));
            Assert.All(report.Where(i => i.Outcome == "notStarted"), i => Assert.DoesNotContain(i.Target?.Email ?? i.Input, developers));
            Assert.Contains(report, i => i.Outcome == "notStarted");
            Assert.Equal(developers.Count(d => many.Contains(d)), report.Count(i => i.Outcome == "updated") + report.Count(i => i.Outcome == "unknown" && developers.Contains(i.Target.Email)));
            Assert.True(Patches(emu) < many.Length, "every change was sent: " + Patches(emu));
        }
    }
}
