using System.Linq;
using System.Management.Automation;
using Xunit;

namespace VcsNative.Engine.Tests
{
    public class RemoveVcsUserInvitationTests
    {
        [Fact]
        public void Piped_available_invitations_are_revoked_and_no_others()
        {
            using var emu = new Emulator(invitations: 6);
            using var ps = new PsSession(emu);
            ps.Connect();
            var before = CspState.Invitations(emu);
            Assert.True(before.Count(i => i.Status == "AVAILABLE") > 1);
            RunResult r = ps.Run("Get-VcsUserInvitation -Status Available | Remove-VcsUserInvitation -Confirm:$false");
            Assert.Empty(r.Output);
            Assert.Empty(r.AllErrors);
            var after = CspState.Invitations(emu);
            foreach (var b in before)
            {
                string expected = b.Status == "AVAILABLE" ? "REVOKED" : b.Status;
                Assert.Equal(expected, after.Single(a => a.Id == b.Id).Status);
            }
        }

        [Fact]
        public void Ids_as_text_revoke_and_each_unknown_or_spent_one_is_an_error()
        {
            using var emu = new Emulator(invitations: 6);
            using var ps = new PsSession(emu);
            ps.Connect();
            var before = CspState.Invitations(emu);
            var pending = before.First(i => i.Status == "AVAILABLE");
            var redeemed = before.First(i => i.Status == "REDEEMED");
            RunResult r = ps.Run("Remove-VcsUserInvitation -Invitation '" + pending.Id + "', 'no-such-invitation', '" + redeemed.Id + "' -Force");
            Assert.Null(r.Terminating);
            Assert.Equal(new object[] { "no-such-invitation", redeemed.Id }, r.Errors.Select(e => e.TargetObject));
            Assert.Equal(ErrorCategory.ObjectNotFound, r.Errors[0].CategoryInfo.Category);
            Assert.StartsWith("Vcs.notFound,", r.Errors[0].FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidArgument, r.Errors[1].CategoryInfo.Category);
            var after = CspState.Invitations(emu);
            Assert.Equal("REVOKED", after.Single(i => i.Id == pending.Id).Status);
            Assert.Equal("REDEEMED", after.Single(i => i.Id == redeemed.Id).Status);
        }

        [Theory]
        [InlineData("Remove-VcsUserInvitation -UserInvitation $null -Confirm:$false")]
        [InlineData("Remove-VcsUserInvitation -UserInvitation '' -Confirm:$false")]
        [InlineData("Remove-VcsUserInvitation -UserInvitation @() -Confirm:$false")]
        [InlineData("$typo = $null; Remove-VcsUserInvitation $typo -Force")]
        [InlineData("$null | Remove-VcsUserInvitation -Confirm:$false")]
        public void An_empty_or_null_invitation_is_refused_and_nothing_is_revoked(string script)
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            RunResult r = ps.Run(script);
            Assert.Contains("ParameterArgumentValidationError", r.OnlyError.FullyQualifiedErrorId);
            Assert.Equal(0, CspState.Changes(emu));
        }

        [Fact]
        public void A_pipeline_that_brings_no_invitation_revokes_nothing()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            Assert.Empty(ps.Run("Get-VcsUserInvitation -Name 'nobody*' | Remove-VcsUserInvitation -Confirm:$false").AllErrors);
            Assert.Equal(0, CspState.Changes(emu));
        }

        [Fact]
        public void WhatIf_revokes_nothing()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            Assert.Empty(ps.Run("Get-VcsUserInvitation | Remove-VcsUserInvitation -WhatIf").AllErrors);
            Assert.Empty(ps.Run("Get-VcsUserInvitation | Remove-VcsUserInvitation -Force -WhatIf").AllErrors);
            Assert.Equal(0, CspState.Changes(emu));
        }

        [Fact]
        public void Without_a_UI_a_removal_that_must_ask_fails_and_revokes_nothing()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            RunResult r = ps.Run("Get-VcsUserInvitation -Status Available | Remove-VcsUserInvitation");
            Assert.Contains(r.AllErrors, e => e.Exception is System.Management.Automation.Host.HostException || e.Exception.InnerException is System.Management.Automation.Host.HostException);
            Assert.Equal(0, CspState.Changes(emu));
        }

        [Fact]
        public void Answering_no_revokes_nothing_yes_revokes_and_Force_does_not_ask()
        {
            using var emu = new Emulator(invitations: 6);
            var ids = CspState.Invitations(emu).Where(i => i.Status == "AVAILABLE").Select(i => i.Id).ToList();
            var no = new AnsweringHost("N");
            using (var ps = new PsSession(emu, no))
            {
                ps.Connect();
                Assert.Empty(ps.Run("Remove-VcsUserInvitation '" + ids[0] + "'").AllErrors);
                Assert.Single(no.Prompts);
                Assert.Equal(0, CspState.Changes(emu));
                Assert.Empty(ps.Run("Remove-VcsUserInvitation '" + ids[1] + "' -Force").AllErrors);
                Assert.Single(no.Prompts);
                Assert.Equal("REVOKED", CspState.Invitations(emu).Single(i => i.Id == ids[1]).Status);
            }
            var yes = new AnsweringHost("Y");
            using (var ps = new PsSession(emu, yes))
            {
                ps.Connect();
                Assert.Empty(ps.Run("Get-VcsUserInvitation -Id '" + ids[0] + "' | Remove-VcsUserInvitation").AllErrors);
                Assert.Single(yes.Prompts);
                Assert.Equal("REVOKED", CspState.Invitations(emu).Single(i => i.Id == ids[0]).Status);
            }
        }

        [Fact]
        public void Server_takes_a_name_and_piped_invitations_go_to_their_own_server()
        {
            using var emu = new Emulator(invitations: 6);
            using var emu2 = new Emulator(invitations: 6);
            using var ps = new PsSession(emu);
            ps.Set("url2", emu2.Url);
            ps.Set("token2", emu2.ApiToken);
            ps.Connect();
            string second = (string)ps.Ok("(Connect-Vcs -Server $url2 -ApiToken $token2).Name").Single().BaseObject;
            var id = CspState.Invitations(emu2).First(i => i.Status == "AVAILABLE").Id;
            ps.Ok("Remove-VcsUserInvitation '" + id + "' -Server '" + second + "' -Confirm:$false");
            Assert.Equal("REVOKED", CspState.Invitations(emu2).Single(i => i.Id == id).Status);
            Assert.Equal(0, CspState.Changes(emu));
            ps.Ok("Get-VcsUserInvitation -Server '" + second + "' -Status Available | Remove-VcsUserInvitation -Confirm:$false");
            Assert.DoesNotContain(CspState.Invitations(emu2), i => i.Status == "AVAILABLE");
            Assert.Equal(0, CspState.Changes(emu));
        }
    }
}
