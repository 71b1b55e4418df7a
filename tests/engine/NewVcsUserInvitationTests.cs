using System.IO;
using System.Linq;
using System.Management.Automation;
using VMware.CloudServices.Impl.V1.CmdletOutput;
using VMware.CloudServices.Types.V1.CmdletOutput;
using Xunit;

namespace VcsNative.Engine.Tests
{
    public class NewVcsUserInvitationTests
    {
        private const string Aws = "ybUdoTC05kYFC9ZG560kpsn0I8M_";
        private const string Tanzu = "tcq4LTfyZ_-UPdPAJIi2LhnvxmE_";

        [Fact]
        public void Role_objects_from_the_getters_invite_with_those_roles()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            PSObject server = ps.Connect();
            var r = ps.Ok("$org = Get-VcsOrganizationRole -Name org_member, developer; $svc = Get-VcsServiceRole -Name 'nsx:cloud_admin', 'tmc:member'\n"
                + "New-VcsUserInvitation -Email 'new.one@partner.example.org' -OrganizationRole $org -ServiceRole $svc");
            var created = (VcsUserInvitationImpl)Assert.Single(r).BaseObject;
            Assert.Equal("new.one@partner.example.org", created.Email);
            Assert.Equal(UserInvitationStatusEnum.Available, created.Status);
            Assert.Same(server.BaseObject, created.Server);
            var stored = CspState.Invitations(emu).Single(i => i.Username == "new.one@partner.example.org");
            Assert.Equal(created.Id, stored.Id);
            Assert.Equal("AVAILABLE", stored.Status);
            Assert.Equal(new[] { "org_member", "developer" }, stored.OrgRoles.OrderByDescending(x => x == "org_member"));
            Assert.Equal(new[] { "nsx:cloud_admin" }, stored.ServiceRoles.Single(g => g.ServiceId == Aws).Roles);
            Assert.Equal(new[] { "tmc:member" }, stored.ServiceRoles.Single(g => g.ServiceId == Tanzu).Roles);
        }

        [Fact]
        public void Role_names_as_text_are_resolved_by_the_library_service_roles_without_their_service()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            var r = ps.Ok("New-VcsUserInvitation 'named.roles@partner.example.org' -OrganizationRole org_member -ServiceRole 'skyline:viewer', 'vmc-user:full' -SkipNotify");
            Assert.Equal("named.roles@partner.example.org", Assert.Single(r).ToString());
            var stored = CspState.Invitations(emu).Single(i => i.Username == "named.roles@partner.example.org");
            Assert.Equal(new[] { "org_member" }, stored.OrgRoles);
            Assert.Equal(new[] { "vmc-user:full" }, stored.ServiceRoles.Single(g => g.ServiceId == Aws).Roles);
            Assert.Equal(new[] { "skyline:viewer" }, stored.ServiceRoles.Single(g => g.ServiceId == "Ol1bgfCqNvkyTfWw4EOhKTQa2Vs_").Roles);
        }

        [Fact]
        public void Good_malformed_and_member_addresses_each_get_their_own_outcome()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            int before = CspState.Invitations(emu).Count;
            RunResult r = ps.Run("New-VcsUserInvitation -Email 'good.one@partner.example.org', 'not-an-address', 'ada.andersen@example.com', 'a b@example.com', 'good.two@partner.example.org' -OrganizationRole org_member");
            Assert.Null(r.Terminating);
            Assert.Equal(new[] { "good.one@partner.example.org", "good.two@partner.example.org" }, r.Output.Select(o => o.ToString()));
            Assert.Equal(new object[] { "not-an-address", "a b@example.com" }, r.Errors.Select(e => e.TargetObject));
            Assert.All(r.Errors, e =>
            {
                Assert.Equal(ErrorCategory.InvalidArgument, e.CategoryInfo.Category);
                Assert.StartsWith("Vcs.invalidArgument,", e.FullyQualifiedErrorId);
            });
            string warning = Assert.Single(r.Warnings);
            Assert.Contains("ada.andersen@example.com", warning);
            Assert.Contains("Get-VcsUser", warning);
            var after = CspState.Invitations(emu);
            Assert.Equal(before + 2, after.Count);
            Assert.DoesNotContain(after, i => i.Username == "ada.andersen@example.com" || i.Username == "not-an-address");
        }

        [Fact]
        public void Addresses_from_a_csv_go_in_one_call()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            string csv = Path.Combine(Path.GetTempPath(), "vcs-invite-" + System.Guid.NewGuid().ToString("N") + ".csv");
            File.WriteAllLines(csv, new[] { "Email,Team" }.Concat(Enumerable.Range(1, 12).Select(i => "csv.person" + i + "@partner.example.org,blue")));
            try
            {
                ps.Set("csv", csv);
                var r = ps.Ok("Import-Csv $csv | New-VcsUserInvitation -OrganizationRole org_member");
                Assert.Equal(12, r.Count);
                Assert.Equal(12, CspState.Invitations(emu).Count(i => i.Username.StartsWith("csv.person")));
                Assert.Equal(1, CspState.Requests(emu, "POST", "/invitations"));
            }
            finally
            {
                File.Delete(csv);
            }
        }

        [Fact]
        public void WhatIf_invites_no_one()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            int before = CspState.Invitations(emu).Count;
            RunResult r = ps.Run("New-VcsUserInvitation -Email 'what.if@partner.example.org', 'what.else@partner.example.org' -OrganizationRole org_member -WhatIf");
            Assert.Empty(r.Output);
            Assert.Empty(r.AllErrors);
            Assert.Equal(before, CspState.Invitations(emu).Count);
            Assert.Equal(0, CspState.Changes(emu));
        }

        [Fact]
        public void An_unknown_role_is_an_error_for_each_address_and_invites_no_one()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            int before = CspState.Invitations(emu).Count;
            RunResult r = ps.Run("New-VcsUserInvitation -Email 'one@partner.example.org', 'two@partner.example.org' -OrganizationRole org_membr");
            Assert.Empty(r.Output);
            Assert.Equal(new object[] { "one@partner.example.org", "two@partner.example.org" }, r.AllErrors.Select(e => e.TargetObject));
            Assert.All(r.AllErrors, e => Assert.Contains("org_membr", e.Exception.Message));
            Assert.Equal(before, CspState.Invitations(emu).Count);
        }

        [Fact]
        public void An_unknown_role_invites_no_one_and_says_which_role()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            int before = CspState.Invitations(emu).Count;
            RunResult r = ps.Run("New-VcsUserInvitation -Email 'someone@partner.example.org' -OrganizationRole org_membr");
            Assert.Empty(r.Output);
            ErrorRecord e = r.OnlyError;
            Assert.StartsWith("Vcs.invalidArgument,", e.FullyQualifiedErrorId);
            Assert.Contains("org_membr", e.Exception.Message);
            Assert.Equal(before, CspState.Invitations(emu).Count);
        }

        [Theory]
        [InlineData("New-VcsUserInvitation -Email $null -OrganizationRole org_member")]
        [InlineData("New-VcsUserInvitation -Email '' -OrganizationRole org_member")]
        [InlineData("New-VcsUserInvitation -Email @() -OrganizationRole org_member")]
        [InlineData("New-VcsUserInvitation -Email 'x@partner.example.org' -OrganizationRole $null")]
        [InlineData("New-VcsUserInvitation -Email 'x@partner.example.org' -OrganizationRole ''")]
        [InlineData("New-VcsUserInvitation -Email 'x@partner.example.org' -OrganizationRole @()")]
        [InlineData("New-VcsUserInvitation -Email 'x@partner.example.org' -OrganizationRole org_member -ServiceRole $null")]
        [InlineData("New-VcsUserInvitation -Email 'x@partner.example.org' -OrganizationRole org_member -ServiceRole ''")]
        [InlineData("New-VcsUserInvitation -Email 'x@partner.example.org' -OrganizationRole org_member -Server @()")]
        public void An_empty_or_null_argument_is_refused_and_invites_no_one(string script)
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            RunResult r = ps.Run(script);
            Assert.Empty(r.Output);
            Assert.Contains("ParameterArgumentValidationError", r.OnlyError.FullyQualifiedErrorId);
            Assert.Equal(0, CspState.Changes(emu));
        }

        [Fact]
        public void Server_takes_a_name()
        {
            using var emu = new Emulator();
            using var emu2 = new Emulator();
            using var ps = new PsSession(emu);
            ps.Set("url2", emu2.Url);
            ps.Set("token2", emu2.ApiToken);
            ps.Connect();
            string second = (string)ps.Ok("(Connect-Vcs -Server $url2 -ApiToken $token2).Name").Single().BaseObject;
            var r = ps.Ok("New-VcsUserInvitation 'only.second@partner.example.org' -OrganizationRole org_member -Server '" + second + "'");
            Assert.Equal(second, ((VcsUserInvitationImpl)Assert.Single(r).BaseObject).Server.Name);
            Assert.Contains(CspState.Invitations(emu2), i => i.Username == "only.second@partner.example.org");
            Assert.DoesNotContain(CspState.Invitations(emu), i => i.Username == "only.second@partner.example.org");
        }

        [Theory]
        [InlineData("New-VcsUserInvitation -OrganizationRole org_", new[] { "org_member", "org_owner" })]
        [InlineData("New-VcsUserInvitation -Email x@y.example -OrganizationRole dev", new[] { "developer" })]
        [InlineData("New-VcsUserInvitation -OrganizationRole org_member -ServiceRole nsx:", new[] { "nsx:cloud_admin", "nsx:cloud_auditor" })]
        [InlineData("New-VcsUserInvitation -ServiceRole tmc", new[] { "tmc:admin", "tmc:member" })]
        public void Tab_completion_offers_the_organizations_role_names(string line, string[] expected)
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            ps.Set("line", line);
            var got = ps.Ok("(TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object ListItemText");
            Assert.Equal(expected, got.Select(o => o.ToString()));
        }
    }
}
