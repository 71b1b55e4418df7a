using System;
using System.Linq;
using System.Management.Automation;
using System.Text.Json;
using Xunit;

namespace VcsNative.Engine.Tests
{
    /// <summary>PowerCLI's names and values (issue #26): enum values, -Server $null, the CI* cmdlets and $DefaultCIServers.</summary>
    public class PowerCliCompatTests
    {
        private const string EnumType = "[VMware.CloudServices.Types.V1.VcsOAuthSecurityContextType]";

        [Fact]
        public void The_security_context_type_has_PowerClis_values_and_keeps_the_old_names_as_aliases()
        {
            using var ps = new PsSession();
            Assert.Equal(new object[] { "ApiToken", "Service", "WebBrowser" },
                ps.Ok("[Enum]::GetValues(" + EnumType + ") | Select-Object -Unique | ForEach-Object { $_.ToString() }").Select(o => o.BaseObject));
            Assert.Equal(new object[] { true, true }, ps.Ok("(" + EnumType + "'ServiceApp') -eq 'Service'; (" + EnumType + "'WebApp') -eq 'WebBrowser'").Select(o => o.BaseObject));
            // The old names bind, and show as PowerCLI's.
            Assert.Equal(new object[] { "Service", "WebBrowser" }, ps.Ok("\"$(" + EnumType + "'ServiceApp')\"; \"$(" + EnumType + "::WebApp)\"").Select(o => o.BaseObject));
        }

        [Fact]
        public void An_app_context_is_of_type_Service_and_still_equals_ServiceApp()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Set("appId", emu.AppId);
            ps.Set("appSecret", emu.AppSecret);
            ps.Set("orgId", emu.OrgId);
            ps.Ok("$ctx = New-VcsOAuthSecurityContext -VcsServer $url -AppId $appId -AppSecret $appSecret -OrganizationId $orgId");
            Assert.Equal(new object[] { "Service", true, true, "ApiToken" },
                ps.Ok("$ctx.Type.ToString(); $ctx.Type -eq 'ServiceApp'; $ctx.Type -eq 'Service'; (New-VcsOAuthSecurityContext -VcsServer $url -ApiToken $token).Type.ToString()").Select(o => o.BaseObject));
        }

        [Theory]
        [InlineData("Get-VcsUser", "Get-VcsUser -Server $null")]
        [InlineData("Get-VcsUserInvitation", "Get-VcsUserInvitation -Server $null")]
        [InlineData("Get-VcsOrganizationRole", "Get-VcsOrganizationRole -Server $null")]
        [InlineData("Get-VcsService", "$s = $null; Get-VcsService -Server $s")]
        public void Server_null_means_the_default_servers_on_the_CSP_commands(string plain, string withNull)
        {
            using var emu = new Emulator(users: 8);
            using var ps = new PsSession(emu);
            ps.Connect();
            ps.Ok("$other = Connect-Vcs -Server $url -ApiToken $token -NotDefault");
            string Ids(string script) => string.Join(",", ps.Ok(script).Select(o => o.Properties["Id"].Value).OrderBy(x => x));
            string expected = Ids(plain);
            Assert.NotEmpty(expected);
            Assert.Equal(expected, Ids(withNull));
        }

        [Fact]
        public void Server_null_with_no_default_server_is_a_clear_error_and_other_null_filters_stay_refused()
        {
            using var emu = new Emulator(users: 5);
            using var ps = new PsSession(emu);
            RunResult none = ps.Run("Get-VcsUser -Server $null");
            Assert.Empty(none.Output);
            Assert.Contains("no CSP server is connected", none.AllErrors.Single().Exception.Message);
            Assert.Contains("Server", none.AllErrors.Single().Exception.Message);

            ps.Connect();
            RunResult name = ps.Run("Get-VcsUser -Name $null -Server $null");
            Assert.Empty(name.Output);
            Assert.Contains("ParameterArgumentValidationError", name.AllErrors.Single().FullyQualifiedErrorId);
            // Removing with -Server $null acts on the default server, not everywhere and not nowhere.
            int before = CspState.Users(emu).Count;
            ps.Set("victim", CspState.Users(emu).Select(u => u.Username).First(n => !n.StartsWith("ada", StringComparison.OrdinalIgnoreCase)));
            ps.Ok("Remove-VcsUser -User $victim -Server $null -Confirm:$false");
            Assert.Equal(before - 1, CspState.Users(emu).Count);
        }

        [Fact]
        public void Server_null_means_the_default_sessions_on_the_Cloud_Director_commands()
        {
            using var emu = new Emulator(vcdUsers: 12);
            using var ps = new PsSession(emu);
            ps.ConnectVcd(emu);
            int count = emu.TenantUsers().Count;
            Assert.Equal(count, ps.Ok("Get-VcdUser -Server $null").Count);
            Assert.Equal(count, ps.Ok("Get-CIUser -Server $null").Count);
            Assert.Equal(ps.Ok("Get-VcdRole").Count, ps.Ok("Get-CIRole -Server $null").Count);
            ps.Ok("Disconnect-Vcd -Confirm:$false");
            RunResult r = ps.Run("Get-CIUser -Server $null");
            Assert.Empty(r.Output);
            Assert.Contains("no Cloud Director is connected", r.AllErrors.Single().Exception.Message);
        }

        [Fact]
        public void Connect_CIServer_logs_in_with_PowerClis_parameters_and_publishes_DefaultCIServers()
        {
            using var emu = new Emulator(vcdUsers: 5);
            using var ps = new PsSession(emu);
            ps.SetVcdVariables(emu);
            PSObject s = ps.Ok("Connect-CIServer -Server $vcdUrl -Org $vcdOrg -User $vcdUser -Password $vcdPassword").Single();
            var session = s.Base<VcdServer>();
            Assert.Equal(emu.VcdOrg, session.Org);
            Assert.Equal(emu.VcdUser, session.User);
            Assert.Same(session, ps.Ok("$DefaultCIServers").Single().BaseObject);
            Assert.Same(session, ps.Ok("$DefaultVcdServers").Single().BaseObject);

            // user@org names the organization; the same login shares the session (RefCount 2).
            Assert.Same(session, ps.Ok("Connect-CIServer $vcdUrl -User \"$vcdUser@$vcdOrg\" -Password $vcdPassword").Single().BaseObject);
            Assert.Equal(2, session.RefCount);

            // Without -Org nor user@org: the provider organization, as PowerCLI.
            var provider = ps.Ok("Connect-CIServer -Server $vcdUrl -User administrator -Password $vcdPassword -NotDefault").Single().Base<VcdServer>();
            Assert.Equal("System", provider.Org);
            Assert.True(provider.IsProvider);
            Assert.Single(ps.Ok("$DefaultCIServers"));

            // -Port replaces the address's port.
            var uri = new Uri(emu.VcdUrl);
            ps.Set("noPort", uri.Scheme + "://" + uri.Host + ":1");
            ps.Set("port", uri.Port);
            Assert.Same(session, ps.Ok("Connect-CIServer -Server $noPort -Port $port -Org $vcdOrg -User $vcdUser -Password $vcdPassword").Single().BaseObject);

            // A failed login is the library's error, from Connect-CIServer.
            RunResult bad = ps.Run("Connect-CIServer -Server $vcdUrl -Org $vcdOrg -User $vcdUser -Password 'wrong-password'");
            Assert.Empty(bad.Output);
            Assert.StartsWith("Vcs.", bad.AllErrors.Single().FullyQualifiedErrorId);
            Assert.DoesNotContain("wrong-password", bad.AllErrors.Single().ToString());

            ps.Ok("Disconnect-CIServer -Server * -Force -Confirm:$false");
            Assert.Empty(ps.Ok("$DefaultCIServers"));
            Assert.Empty(ps.Ok("$DefaultVcdServers"));
            Assert.False(session.IsConnected);
            Assert.False(provider.IsConnected);
            Assert.Equal(0, emu.VcdSessionCount());
        }

        [Fact]
        public void Disconnect_CIServer_without_Server_closes_every_default_session_and_takes_piped_ones()
        {
            using var emu = new Emulator(vcdUsers: 5);
            using var ps = new PsSession(emu);
            ps.SetVcdVariables(emu);
            ps.Ok("$a = Connect-CIServer -Server $vcdUrl -Org $vcdOrg -User $vcdUser -Password $vcdPassword; $b = Connect-CIServer -Server $vcdUrl -User administrator -Password $vcdPassword");
            Assert.Equal(2, ps.Ok("$DefaultCIServers").Count);
            ps.Ok("Disconnect-CIServer -Confirm:$false");
            Assert.Empty(ps.Ok("$DefaultCIServers"));
            Assert.Equal(0, emu.VcdSessionCount());

            ps.Ok("$a = Connect-CIServer -Server $vcdUrl -Org $vcdOrg -User $vcdUser -Password $vcdPassword; $b = Connect-CIServer -Server $vcdUrl -User administrator -Password $vcdPassword -NotDefault");
            ps.Ok("$a, $b | Disconnect-CIServer -Force -Confirm:$false");
            Assert.Equal(new object[] { false, false }, ps.Ok("$a.IsConnected; $b.IsConnected").Select(o => o.BaseObject));
            RunResult again = ps.Run("Disconnect-CIServer -Confirm:$false");
            Assert.Equal("Vcs.notConnected", again.AllErrors.Single().FullyQualifiedErrorId.Split(',')[0]);
        }

        [Fact]
        public void Get_CIUser_gives_PowerClis_properties_from_the_service()
        {
            using var emu = new Emulator(vcdUsers: 20);
            using var ps = new PsSession(emu);
            var session = ps.ConnectVcd(emu).Base<VcdServer>();
            var users = ps.Ok("Get-CIUser");
            var state = emu.TenantUsers();
            Assert.Equal(state.Count, users.Count);
            Assert.All(users, u => Assert.Equal("VcsNative.CIUser", u.TypeNames[0]));
            foreach (JsonElement s in state)
            {
                string id = s.GetProperty("id").GetString();
                var u = users.Select(o => o.Base<CIUser>()).Single(x => x.Id == id);
                Assert.Equal(s.GetProperty("username").GetString(), u.Name);
                Assert.Equal(s.GetProperty("fullName").GetString(), u.FullName);
                Assert.Equal(s.GetProperty("email").GetString(), u.Email);
                Assert.Equal(s.GetProperty("enabled").GetBoolean(), u.Enabled);
                Assert.False(u.Locked);
                Assert.Equal(emu.VcdOrg, u.Org.Name);
                Assert.StartsWith("urn:vcloud:org:", u.Org.Id);
                Assert.Equal(emu.RoleNames(s).Single(), u.Role.Name);
                Assert.Equal(s.GetProperty("roleIds")[0].GetString(), u.Role.Id);
                Assert.Equal(s.GetProperty("description").GetString(), u.Description);
                Assert.Equal(s.GetProperty("storedVmQuota").GetInt32(), u.StoredVMQuota);
                Assert.Equal(s.GetProperty("deployedVmQuota").GetInt32(), u.DeployedVMQuota);
                Assert.Equal(emu.VcdUrl.TrimEnd('/') + "/cloudapi/1.0.0/users/" + id, u.Href);
                Assert.EndsWith("/CIUser=" + id + "/", u.Uid);
                Assert.Same(session, u.Server);
            }
            Assert.Contains(users, u => !u.Base<CIUser>().Enabled);
            // The password is no property, and no value carries one.
            Assert.DoesNotContain(users[0].Properties, p => p.Name.Contains("Password", StringComparison.OrdinalIgnoreCase));
        }

        [Fact]
        public void Get_CIRole_piped_to_Get_CIUser_gives_that_roles_users()
        {
            using var emu = new Emulator(vcdUsers: 30);
            using var ps = new PsSession(emu);
            ps.ConnectVcd(emu);
            string Expected(params string[] roles) => string.Join(",", emu.TenantUsers().Where(u => roles.Contains(emu.RoleNames(u).Single())).Select(u => u.GetProperty("id").GetString()).OrderBy(x => x));
            string Ids(string script) => string.Join(",", ps.Ok(script).Select(o => o.Base<CIUser>().Id).OrderBy(x => x));

            Assert.Equal(new object[] { "VcsNative.CIRole" }, ps.Ok("Get-CIRole -Name 'vApp User'").Select(o => (object)o.TypeNames[0]));
            string vappUsers = Expected("vApp User");
            Assert.NotEmpty(vappUsers);
            Assert.Equal(vappUsers, Ids("Get-CIRole -Name 'vApp User' | Get-CIUser"));
            Assert.Equal(vappUsers, Ids("Get-CIUser -Role 'vApp User'"));
            Assert.Equal(vappUsers, Ids("Get-VcdRole -Name 'vApp User' | Get-CIUser"));
            Assert.Equal(Expected("vApp User", "Catalog Author"), Ids("Get-CIRole -Name 'vApp User', 'Catalog Author' | Get-CIUser"));
            Assert.Equal(Expected("vApp User", "vApp Author"), Ids("Get-CIUser -Role 'vApp *'"));
            // -Name and -Role together: both apply.
            string first = emu.TenantUsers().First(u => emu.RoleNames(u).Single() == "vApp User").GetProperty("username").GetString();
            ps.Set("first", first);
            Assert.Equal(new object[] { first }, ps.Ok("Get-CIRole 'vApp User' | Get-CIUser -Name $first").Select(o => (object)o.Base<CIUser>().Name));

            // A pipeline that brings no role selects no one.
            Assert.Empty(ps.Ok("Get-CIRole -Name 'No Such*' | Get-CIUser"));
            Assert.Empty(ps.Ok("@() | Get-CIUser"));

            // A role that names nothing is one ObjectNotFound error, not every user.
            RunResult r = ps.Run("Get-CIUser -Role 'No Such Role'");
            Assert.Empty(r.Output);
            ErrorRecord e = r.AllErrors.Single();
            Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
            Assert.Contains("No Such Role", e.Exception.Message);
        }

        [Fact]
        public void Get_CIUser_Id_reports_each_unknown_id_and_Org_picks_the_sessions()
        {
            using var emu = new Emulator(vcdUsers: 10);
            using var ps = new PsSession(emu);
            ps.ConnectVcd(emu);
            string known = emu.TenantUsers()[3].GetProperty("id").GetString();
            ps.Set("known", known);
            RunResult r = ps.Run("Get-CIUser -Id 'urn:vcloud:user:00000000-0000-0000-0000-000000000000', $known, 'not-an-id'");
            Assert.Equal(new object[] { known }, r.Output.Select(o => (object)o.Base<CIUser>().Id));
            Assert.Equal(2, r.Errors.Count);
            Assert.All(r.Errors, e => Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category));
            Assert.Equal(new object[] { "urn:vcloud:user:00000000-0000-0000-0000-000000000000", "not-an-id" }, r.Errors.Select(e => e.TargetObject));

            int count = emu.TenantUsers().Count;
            Assert.Equal(count, ps.Ok("Get-CIUser -Org " + emu.VcdOrg).Count);
            Assert.Equal(count, ps.Ok("Get-CIUser -Org 'AC*'").Count);
            RunResult other = ps.Run("Get-CIUser -Org 'OtherOrg'");
            Assert.Empty(other.Output);
            Assert.Equal(ErrorCategory.ObjectNotFound, other.AllErrors.Single().CategoryInfo.Category);
            Assert.Contains("OtherOrg", other.AllErrors.Single().Exception.Message);
        }

        [Fact]
        public void Role_of_Get_CIUser_completes_the_organizations_role_names_and_Org_takes_a_users_Org()
        {
            using var emu = new Emulator(vcdUsers: 5);
            using var ps = new PsSession(emu);
            ps.ConnectVcd(emu);
            ps.Set("line", "Get-CIUser -Role vApp");
            Assert.Equal(new object[] { "'vApp Author'", "'vApp User'" },
                ps.Ok("(TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object CompletionText").Select(o => o.BaseObject));
            Assert.Equal(emu.TenantUsers().Count, ps.Ok("$u = Get-CIUser -Name vcd-admin; Get-CIUser -Org $u.Org").Count);
            Assert.Equal(new object[] { emu.VcdOrg }, ps.Ok("(Get-CIUser -Name vcd-admin).Org.Name").Select(o => o.BaseObject));
        }

        [Theory]
        [InlineData("Get-CIUser -Name $null")]
        [InlineData("Get-CIUser -Name ''")]
        [InlineData("Get-CIUser -Name @()")]
        [InlineData("Get-CIUser -Org $null")]
        [InlineData("Get-CIUser -Org ''")]
        [InlineData("Get-CIUser -Org @()")]
        [InlineData("Get-CIUser -Role $null")]
        [InlineData("Get-CIUser -Role ''")]
        [InlineData("Get-CIUser -Role @()")]
        [InlineData("$null | Get-CIUser")]
        [InlineData("Get-CIUser -Id $null")]
        [InlineData("Get-CIUser -Id ''")]
        [InlineData("Get-CIUser -Id @()")]
        [InlineData("Get-CIUser -Server @()")]
        [InlineData("Get-CIRole -Name $null")]
        [InlineData("Get-CIRole -Id @()")]
        public void An_empty_or_null_filter_is_refused_and_returns_nothing(string script)
        {
            using var emu = new Emulator(vcdUsers: 5);
            using var ps = new PsSession(emu);
            ps.ConnectVcd(emu);
            RunResult r = ps.Run(script);
            Assert.Empty(r.Output);
            Assert.NotEmpty(r.AllErrors);
        }
    }
}
