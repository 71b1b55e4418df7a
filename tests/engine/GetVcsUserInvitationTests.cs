using System;
using System.Linq;
using System.Management.Automation;
using VMware.CloudServices.Impl.V1.CmdletOutput;
using VMware.CloudServices.Types.V1.CmdletOutput;
using Xunit;

namespace VcsNative.Engine.Tests
{
    public class GetVcsUserInvitationTests
    {
        [Fact]
        public void Lists_the_invitations_as_typed_objects_with_dates_and_statuses()
        {
            using var emu = new Emulator(invitations: 6);
            using var ps = new PsSession(emu);
            PSObject server = ps.Connect();
            var got = ps.Ok("Get-VcsUserInvitation");
            var stored = emu.State().GetProperty("invitations").EnumerateArray().ToList();
            Assert.Equal(stored.Select(i => i.GetProperty("id").GetString()).OrderBy(x => x), got.Select(i => ((IVcsUserInvitation)i.BaseObject).Id).OrderBy(x => x));
            Assert.Equal("VMware.CloudServices.Impl.V1.CmdletOutput.VcsUserInvitationImpl", got[0].TypeNames[0]);
            foreach (var s in stored)
            {
                var i = (VcsUserInvitationImpl)got.Single(o => ((IVcsUserInvitation)o.BaseObject).Id == s.GetProperty("id").GetString()).BaseObject;
                Assert.Equal(s.GetProperty("username").GetString(), i.Name);
                Assert.Equal(i.Name, i.Email);
                Assert.Equal(i.Name, i.ToString());
                Assert.Equal(s.GetProperty("status").GetString(), i.Status.ToString().ToUpperInvariant());
                Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(s.GetProperty("generatedAtMs").GetInt64()).UtcDateTime, i.CreatedDate);
                Assert.Equal(DateTimeKind.Utc, i.CreatedDate.Value.Kind);
                Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(s.GetProperty("expirationTimeMs").GetInt64()).UtcDateTime, i.ExpiredDate);
                Assert.Equal(i.Status == UserInvitationStatusEnum.Redeemed, i.RedeemedDate.HasValue);
                Assert.Equal(i.Status == UserInvitationStatusEnum.Revoked, i.RevokedDate.HasValue && i.RevokedBy != null);
                Assert.Equal(new[] { "org_member" }, i.OrganizationRoles);
                Assert.Equal("VMware Cloud on AWS", Assert.Single(i.ServiceRoles).ServiceName);
                Assert.Same(server.BaseObject, i.Server);
            }
            // Dates are DateTime for the script too.
            Assert.Equal(true, ps.Ok("(Get-VcsUserInvitation)[0].CreatedDate -is [datetime]").Single().BaseObject);
        }

        [Fact]
        public void Name_and_Status_filter_with_wildcards_and_any_case()
        {
            using var emu = new Emulator(invitations: 6);
            using var ps = new PsSession(emu);
            ps.Connect();
            var stored = CspState.Invitations(emu);
            Assert.Equal(new[] { stored[1].Username }, ps.Ok("Get-VcsUserInvitation -Name '*guest1@*'").Select(i => i.ToString()));
            Assert.Equal(stored.Count(i => i.Status == "AVAILABLE"), ps.Ok("Get-VcsUserInvitation -Status Available").Count);
            Assert.All(ps.Ok("Get-VcsUserInvitation -Status revoked, Redeemed"), i => Assert.NotEqual(UserInvitationStatusEnum.Available, ((IVcsUserInvitation)i.BaseObject).Status));
            Assert.Equal(stored.Count(i => i.Status != "AVAILABLE"), ps.Ok("Get-VcsUserInvitation -Status Revoked, Redeemed").Count);
            Assert.Empty(ps.Ok("Get-VcsUserInvitation -Name '*guest1@*' -Status Revoked"));
        }

        [Fact]
        public void Id_returns_the_invitations_found_and_one_not_found_error_per_unknown_id()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            var stored = CspState.Invitations(emu);
            ps.Set("a", stored[0].Id);
            ps.Set("b", stored[4].Id);
            RunResult r = ps.Run("Get-VcsUserInvitation -Id $a, 'no-such-invitation', $b");
            Assert.Null(r.Terminating);
            Assert.Equal(new[] { stored[0].Id, stored[4].Id }, r.Values.Cast<IVcsUserInvitation>().Select(i => i.Id));
            ErrorRecord e = r.OnlyError;
            Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
            Assert.StartsWith("Vcs.notFound,", e.FullyQualifiedErrorId);
            Assert.Equal("no-such-invitation", e.TargetObject);
            Assert.Contains("request id", e.Exception.Message);
        }

        [Fact]
        public void Ids_bind_from_the_pipeline_by_property_name()
        {
            using var emu = new Emulator(invitations: 6);
            using var ps = new PsSession(emu);
            ps.Connect();
            Assert.Equal(6, ps.Ok("Get-VcsUserInvitation | Get-VcsUserInvitation").Count);
            Assert.Single(ps.Ok("[pscustomobject]@{ Id = (Get-VcsUserInvitation)[2].Id } | Get-VcsUserInvitation"));
        }

        [Theory]
        [InlineData("Get-VcsUserInvitation -Name $null")]
        [InlineData("Get-VcsUserInvitation -Name ''")]
        [InlineData("Get-VcsUserInvitation -Name @()")]
        [InlineData("Get-VcsUserInvitation -Status $null")]
        [InlineData("Get-VcsUserInvitation -Status ''")]
        [InlineData("Get-VcsUserInvitation -Status 'Pending'")]
        [InlineData("Get-VcsUserInvitation -Id $null")]
        [InlineData("Get-VcsUserInvitation -Id ''")]
        [InlineData("$typo = $null; Get-VcsUserInvitation -Name $typo")]
        public void An_empty_null_or_unknown_filter_is_refused_and_returns_nothing(string script)
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            RunResult r = ps.Run(script);
            Assert.Empty(r.Output);
            Assert.Contains("ParameterArgumentValidationError", r.OnlyError.FullyQualifiedErrorId);
        }

        [Fact]
        public void Server_takes_a_name()
        {
            using var emu = new Emulator(invitations: 6);
            using var ps = new PsSession(emu);
            PSObject server = ps.Connect();
            Assert.Equal(6, ps.Ok("Get-VcsUserInvitation -Server '" + server.Properties["Name"].Value + "'").Count);
            Assert.Contains("no-such-server", ps.Run("Get-VcsUserInvitation -Server 'no-such-server'").OnlyError.Exception.Message);
        }
    }
}
