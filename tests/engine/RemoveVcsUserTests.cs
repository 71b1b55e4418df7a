using System.Linq;
using System.Management.Automation;
using Xunit;

namespace VcsNative.Engine.Tests
{
    public class RemoveVcsUserTests
    {
        /// <summary>Invites the addresses and accepts each invitation, as the people would: they become users.</summary>
        private static void AddMembers(Emulator emu, PsSession ps, params string[] emails)
        {
            ps.Set("joining", emails);
            foreach (var i in ps.Ok("New-VcsUserInvitation -Email $joining -OrganizationRole org_member"))
            {
                emu.Control("/_emulator/invitations/" + i.Properties["Id"].Value + "/accept");
            }
        }

        [Fact]
        public void Piped_users_are_removed_and_no_one_else()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            AddMembers(emu, ps, "temp.one@partner.example.org", "temp.two@partner.example.org", "temp.three@partner.example.org");
            var before = CspState.Users(emu);
            var temps = before.Where(u => u.Username.StartsWith("temp.")).Select(u => u.Id).ToList();
            Assert.Equal(3, temps.Count);
            RunResult r = ps.Run("Get-VcsUser -Name 'temp*' | Remove-VcsUser -Confirm:$false");
            Assert.Empty(r.Output);
            Assert.Empty(r.AllErrors);
            var after = CspState.Users(emu);
            Assert.Equal(before.Select(u => u.Id).Except(temps).OrderBy(x => x), after.Select(u => u.Id).OrderBy(x => x));
            // All in one call.
            Assert.Equal(1, CspState.Requests(emu, "DELETE", "/users"));
        }

        [Theory]
        [InlineData("$typo = $null; Get-VcsUser -Name $typo | Remove-VcsUser -Confirm:$false")]
        [InlineData("Remove-VcsUser -User $null -Confirm:$false")]
        [InlineData("Remove-VcsUser -User '' -Confirm:$false")]
        [InlineData("Remove-VcsUser -User @() -Confirm:$false")]
        [InlineData("Remove-VcsUser -User ' ' -Force")]
        [InlineData("$null | Remove-VcsUser -Confirm:$false")]
        [InlineData("Remove-VcsUser -User 'b*' -Server $null -Confirm:$false")]
        public void An_empty_or_null_user_is_refused_and_no_one_is_removed(string script)
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            int before = CspState.Users(emu).Count;
            RunResult r = ps.Run(script);
            Assert.Contains("ParameterArgumentValidationError", r.OnlyError.FullyQualifiedErrorId);
            Assert.Equal(before, CspState.Users(emu).Count);
            Assert.Equal(0, CspState.Changes(emu));
        }

        [Fact]
        public void A_pipeline_that_brings_no_user_removes_no_one()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            int before = CspState.Users(emu).Count;
            Assert.Empty(ps.Run("Get-VcsUser -Name 'nobody-at-all*' | Remove-VcsUser -Confirm:$false").AllErrors);
            Assert.Equal(before, CspState.Users(emu).Count);
            Assert.Equal(0, CspState.Changes(emu));
        }

        [Fact]
        public void WhatIf_removes_no_one()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            int before = CspState.Users(emu).Count;
            Assert.Empty(ps.Run("Get-VcsUser -Name 'b*' | Remove-VcsUser -WhatIf").AllErrors);
            Assert.Empty(ps.Run("Remove-VcsUser '" + CspState.Users(emu)[5].Username + "' -Force -WhatIf").AllErrors);
            Assert.Equal(before, CspState.Users(emu).Count);
            Assert.Equal(0, CspState.Changes(emu));
        }

        [Fact]
        public void Without_a_UI_a_removal_that_must_ask_fails_and_removes_no_one()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            int before = CspState.Users(emu).Count;
            RunResult r = ps.Run("Get-VcsUser -Name 'b*' | Remove-VcsUser");
            Assert.NotEmpty(r.AllErrors);
            Assert.Contains(r.AllErrors, e => e.Exception is System.Management.Automation.Host.HostException || e.Exception.InnerException is System.Management.Automation.Host.HostException);
            Assert.Equal(before, CspState.Users(emu).Count);
            Assert.Equal(0, CspState.Changes(emu));
        }

        [Fact]
        public void Answering_no_removes_no_one_and_yes_removes()
        {
            using var emu = new Emulator();
            var no = new AnsweringHost("N");
            using (var ps = new PsSession(emu, no))
            {
                ps.Connect();
                int before = CspState.Users(emu).Count;
                RunResult r = ps.Run("Remove-VcsUser -User 'b*'");
                Assert.Empty(r.AllErrors);
                Assert.Single(no.Prompts);
                Assert.Equal(before, CspState.Users(emu).Count);
            }
            var yes = new AnsweringHost("Y");
            using (var ps = new PsSession(emu, yes))
            {
                ps.Connect();
                var bs = CspState.Users(emu).Where(u => u.Username.StartsWith("b")).ToList();
                Assert.NotEmpty(bs);
                RunResult r = ps.Run("Get-VcsUser -Name 'b*' | Remove-VcsUser");
                Assert.Empty(r.AllErrors);
                Assert.Equal(bs.Count, yes.Prompts.Count);
                Assert.DoesNotContain(CspState.Users(emu), u => u.Username.StartsWith("b"));
            }
        }

        [Fact]
        public void Force_removes_without_asking_unless_Confirm_is_given()
        {
            using var emu = new Emulator();
            var host = new AnsweringHost("N");
            using var ps = new PsSession(emu, host);
            ps.Connect();
            Assert.Empty(ps.Run("Remove-VcsUser 'b*' -Force").AllErrors);
            Assert.Empty(host.Prompts);
            Assert.DoesNotContain(CspState.Users(emu), u => u.Username.StartsWith("b"));
            // An explicit -Confirm still asks: answered "N", nothing removed.
            var users = CspState.Users(emu);
            Assert.Empty(ps.Run("Remove-VcsUser '" + users.Last().Username + "' -Force -Confirm").AllErrors);
            Assert.Single(host.Prompts);
            Assert.Equal(users.Count, CspState.Users(emu).Count);
        }

        [Fact]
        public void Existing_users_are_removed_and_each_unknown_one_is_an_error()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            var before = CspState.Users(emu);
            var victims = before.Where(u => !u.OrgRoles.Contains("org_owner")).Take(2).ToList();
            ps.Set("u", ps.Ok("Get-VcsUser -Id '" + victims[1].Id + "'").Single());
            RunResult r = ps.Run("Remove-VcsUser -User '" + victims[0].Username + "', 'nobody@nowhere.example', 'example.com:00000000-0000-4000-8000-000000000000', $u -Confirm:$false");
            Assert.Null(r.Terminating);
            Assert.Equal(new object[] { "nobody@nowhere.example", "example.com:00000000-0000-4000-8000-000000000000" }, r.Errors.Select(e => e.TargetObject));
            Assert.All(r.Errors, e =>
            {
                Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
                Assert.StartsWith("Vcs.notFound,", e.FullyQualifiedErrorId);
            });
            var after = CspState.Users(emu);
            Assert.Equal(before.Count - 2, after.Count);
            Assert.DoesNotContain(after, u => victims.Any(v => v.Id == u.Id));
        }

        [Fact]
        public void When_the_service_fails_every_user_of_the_call_gets_an_error_and_none_is_lost()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            var before = CspState.Users(emu);
            var victims = before.Where(u => !u.OrgRoles.Contains("org_owner")).Take(3).Select(u => u.Username).ToList();
            emu.Control("/_emulator/faults", "{\"method\": \"DELETE\", \"path\": \"/csp/gateway/am/api/v2/orgs/*/users\", \"status\": 500}");
            ps.Set("names", victims.ToArray());
            RunResult r = ps.Run("Remove-VcsUser -User $names -Confirm:$false");
            Assert.Equal(3, r.AllErrors.Count());
            Assert.All(r.AllErrors, e => Assert.StartsWith("Vcs.server,", e.FullyQualifiedErrorId));
            // Each error targets the user the library resolved, not the text typed.
            Assert.Equal(victims.OrderBy(v => v), r.AllErrors.Select(e => Assert.IsType<VcsBulkTarget>(e.TargetObject).Username).OrderBy(t => t));
            Assert.Equal(before.Count, CspState.Users(emu).Count);
        }

        [Fact]
        public void Users_go_from_the_server_they_were_read_from_or_the_one_named()
        {
            using var emu = new Emulator();
            using var emu2 = new Emulator();
            using var ps = new PsSession(emu);
            ps.Set("url2", emu2.Url);
            ps.Set("token2", emu2.ApiToken);
            ps.Connect();
            string second = (string)ps.Ok("(Connect-Vcs -Server $url2 -ApiToken $token2).Name").Single().BaseObject;
            int count = CspState.Users(emu).Count;
            var letters = CspState.Users(emu2).Where(u => !u.OrgRoles.Contains("org_owner")).Select(u => u.Username.Substring(0, 1)).Distinct().Take(2).ToArray();
            // Both are default connections; the users read from the second are removed there only.
            ps.Ok("Get-VcsUser -Server '" + second + "' -Name '" + letters[0] + "*' | Remove-VcsUser -Confirm:$false");
            Assert.DoesNotContain(CspState.Users(emu2), u => u.Username.StartsWith(letters[0]));
            Assert.Equal(count, CspState.Users(emu).Count);
            // Text with -Server by name: that server only.
            ps.Ok("Remove-VcsUser '" + letters[1] + "*' -Server '" + second + "' -Confirm:$false");
            Assert.DoesNotContain(CspState.Users(emu2), u => u.Username.StartsWith(letters[1]));
            Assert.Equal(count, CspState.Users(emu).Count);
        }

        [Fact]
        public void The_last_owner_is_refused_as_a_conflict_targeting_the_user()
        {
            using var emu = new Emulator(users: 3);
            using var ps = new PsSession(emu);
            ps.Connect();
            var owners = CspState.Users(emu).Where(u => u.OrgRoles.Contains("org_owner")).ToList();
            Assert.Single(owners);
            RunResult r = ps.Run("Remove-VcsUser '" + owners[0].Username + "' -Force");
            ErrorRecord e = r.OnlyError;
            Assert.Equal(ErrorCategory.ResourceExists, e.CategoryInfo.Category);
            Assert.StartsWith("Vcs.conflict,", e.FullyQualifiedErrorId);
            Assert.Equal(owners[0].Username, Assert.IsType<VcsBulkTarget>(e.TargetObject).Username);
            Assert.Contains("-AllowSelf", e.Exception.Message);
            Assert.DoesNotContain("--allow-self", e.Exception.Message);
            Assert.Contains(CspState.Users(emu), u => u.Id == owners[0].Id);
        }
    }
}
