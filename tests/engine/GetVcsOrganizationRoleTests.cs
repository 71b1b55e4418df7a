using System.Linq;
using System.Management.Automation;
using VMware.CloudServices.Types.V1.CmdletOutput;
using Xunit;

namespace VcsNative.Engine.Tests
{
    public class GetVcsOrganizationRoleTests
    {
        [Fact]
        public void Lists_the_organizations_roles_as_typed_objects_of_their_server()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            PSObject server = ps.Connect();
            var roles = ps.Ok("Get-VcsOrganizationRole");
            Assert.Equal(CspState.Names(emu.State(), "orgRoles"), roles.Select(r => ((IVcsOrganizationRole)r.BaseObject).Name));
            Assert.Equal("VMware.CloudServices.Impl.V1.CmdletOutput.VcsOrganizationRoleImpl", roles[0].TypeNames[0]);
            Assert.All(roles, r => Assert.Same(server.BaseObject, r.Properties["Server"].Value));
            PSObject owner = roles.Single(r => ((IVcsOrganizationRole)r.BaseObject).Name == "org_owner");
            Assert.Equal("Organization Owner", owner.Properties["DisplayName"].Value);
            Assert.Equal("org_owner", owner.ToString());
        }

        [Fact]
        public void Name_filters_with_wildcards()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            Assert.Equal(new[] { "org_owner", "org_member" }, ps.Ok("Get-VcsOrganizationRole -Name 'org_*'").Select(r => r.ToString()));
            Assert.Equal(new[] { "org_member", "developer" }, ps.Ok("Get-VcsOrganizationRole 'org_m*', 'DEV*'").Select(r => r.ToString()));
            Assert.Empty(ps.Ok("Get-VcsOrganizationRole -Name 'nothing*'"));
        }

        [Fact]
        public void Id_returns_the_roles_found_and_one_not_found_error_per_unknown_id()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            var ids = emu.State().GetProperty("orgRoles").EnumerateArray().Select(r => r.GetProperty("id").GetString()).ToArray();
            ps.Set("a", ids[0]);
            ps.Set("b", ids[3]);
            RunResult r = ps.Run("Get-VcsOrganizationRole -Id $a, 'no-such-role', $b, 'another-unknown'");
            Assert.Null(r.Terminating);
            Assert.Equal(new[] { ids[0], ids[3] }, r.Values.Cast<IVcsOrganizationRole>().Select(x => x.Id));
            Assert.Equal(2, r.Errors.Count);
            Assert.All(r.Errors, e =>
            {
                Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
                Assert.StartsWith("Vcs.notFound,", e.FullyQualifiedErrorId);
            });
            Assert.Equal(new object[] { "no-such-role", "another-unknown" }, r.Errors.Select(e => e.TargetObject));
        }

        [Theory]
        [InlineData("Get-VcsOrganizationRole -Name $null")]
        [InlineData("Get-VcsOrganizationRole -Name ''")]
        [InlineData("Get-VcsOrganizationRole -Name @()")]
        [InlineData("Get-VcsOrganizationRole -Id $null")]
        [InlineData("Get-VcsOrganizationRole -Id ''")]
        [InlineData("Get-VcsOrganizationRole -User $null")]
        [InlineData("Get-VcsOrganizationRole -User ''")]
        [InlineData("Get-VcsOrganizationRole -User @()")]
        [InlineData("Get-VcsOrganizationRole -User 'ada*', $null")]
        [InlineData("$typo = $null; Get-VcsOrganizationRole -User $typo")]
        [InlineData("$null | Get-VcsOrganizationRole")]
        [InlineData("Get-VcsOrganizationRole -Server @()")]
        public void An_empty_or_null_filter_is_refused_and_returns_nothing(string script)
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            RunResult r = ps.Run(script);
            Assert.Empty(r.Output);
            Assert.Contains("ParameterArgumentValidationError", r.OnlyError.FullyQualifiedErrorId);
        }

        [Fact]
        public void Piped_users_give_the_roles_they_hold_each_once()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            var users = ps.Ok("Get-VcsUser -Name 'k*'").Select(u => u.BaseObject).Cast<VMware.CloudServices.Impl.V1.CmdletOutput.VcsUserImpl>().ToList();
            Assert.True(users.Count > 1);
            var expected = users.SelectMany(u => u.OrganizationRoles).Distinct().OrderBy(x => x).ToList();
            var got = ps.Ok("Get-VcsUser -Name 'k*' | Get-VcsOrganizationRole").Select(r => r.ToString()).ToList();
            Assert.Equal(expected, got.OrderBy(x => x));
            Assert.Equal(got.Count, got.Distinct().Count());
            // With a name filter too, and for one user given as text.
            Assert.Equal(new[] { "org_owner" }, ps.Ok("Get-VcsOrganizationRole -User 'ada.andersen@example.com'").Select(r => r.ToString()));
            Assert.Empty(ps.Ok("Get-VcsOrganizationRole -User 'ada.andersen@example.com' -Name 'dev*'"));
        }

        [Fact]
        public void A_pipeline_that_brings_no_user_gives_no_role()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            Assert.Empty(ps.Ok("Get-VcsUser -Name 'nobody-at-all*' | Get-VcsOrganizationRole"));
            Assert.Empty(ps.Ok("@() | Get-VcsOrganizationRole"));
        }

        [Fact]
        public void An_unknown_user_is_one_error_and_the_others_still_answer()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            RunResult r = ps.Run("Get-VcsOrganizationRole -User 'ada.andersen@example.com', 'nobody@nowhere.example'");
            Assert.Equal(new[] { "org_owner" }, r.Output.Select(o => o.ToString()));
            ErrorRecord e = r.OnlyError;
            Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
            Assert.StartsWith("Vcs.notFound,", e.FullyQualifiedErrorId);
            Assert.Equal("nobody@nowhere.example", e.TargetObject);
        }

        [Fact]
        public void Server_takes_a_name()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            PSObject server = ps.Connect();
            Assert.Equal(5, ps.Ok("Get-VcsOrganizationRole -Server '" + server.Properties["Name"].Value + "'").Count);
            Assert.Equal(2, ps.Ok("Get-VcsOrganizationRole -Server '127.0.0.*' -Name org_*").Count);
            Assert.Contains("no-such-server", ps.Run("Get-VcsOrganizationRole -Server 'no-such-server'").OnlyError.Exception.Message);
        }
    }
}
