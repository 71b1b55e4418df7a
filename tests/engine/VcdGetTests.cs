using System;
using System.Linq;
using System.Management.Automation;
using System.Text.Json;
using Xunit;

namespace VcsNative.Engine.Tests
{
    public class VcdGetTests
    {
        private static bool Like(string value, string prefix) => value != null && value.StartsWith(prefix, StringComparison.OrdinalIgnoreCase);

        [Fact]
        public void Lists_every_tenant_user_as_typed_objects_as_the_service_holds_them()
        {
            using var emu = new Emulator(vcdUsers: 150);
            using var ps = new PsSession(emu);
            var session = ps.ConnectVcd(emu).Base<VcdServer>();
            var users = ps.Ok("Get-VcdUser");
            var state = emu.TenantUsers();
            Assert.Equal(state.Count, users.Count);
            Assert.True(users.Count > 128, "more than one page");
            Assert.All(users, u => Assert.Equal("VcsNative.VcdUser", u.TypeNames[0]));
            foreach (JsonElement s in state)
            {
                var u = users.Select(o => o.Base<VcdUser>()).Single(x => x.Id == s.GetProperty("id").GetString());
                Assert.Equal(s.GetProperty("username").GetString(), u.Username);
                Assert.Equal(u.Username, u.Name);
                Assert.Equal(s.GetProperty("fullName").GetString(), u.FullName);
                Assert.Equal(s.GetProperty("email").GetString(), u.Email);
                Assert.Equal(s.GetProperty("enabled").GetBoolean(), u.Enabled);
                Assert.Equal(s.GetProperty("providerType").GetString(), u.ProviderType);
                Assert.Equal(s.GetProperty("nameInSource").GetString(), u.NameInSource);
                Assert.Equal(emu.RoleNames(s), u.Roles);
                Assert.Equal(s.GetProperty("roleIds").EnumerateArray().Select(r => r.GetString()), u.RoleRefs.Select(r => r.Id));
                Assert.Equal(emu.VcdOrg, u.Org);
                Assert.Same(session, u.Server);
            }
            Assert.Contains(users, u => !u.Base<VcdUser>().Enabled);
            Assert.Equal(new[] { "LDAP", "LOCAL", "SAML" }, users.Select(u => u.Base<VcdUser>().ProviderType).Distinct().OrderBy(x => x));
        }

        [Fact]
        public void Name_Email_and_Filter_select_in_the_service_with_wildcards()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.ConnectVcd(emu);
            var state = emu.TenantUsers().Select(u => (Id: u.GetProperty("id").GetString(), Username: u.GetProperty("username").GetString(),
                FullName: u.GetProperty("fullName").GetString(), Email: u.GetProperty("email").GetString(), Provider: u.GetProperty("providerType").GetString())).ToList();
            string Ids(string script) => string.Join(",", ps.Ok(script).Select(o => o.Base<VcdUser>().Id).OrderBy(x => x));
            string Expected(Func<(string Id, string Username, string FullName, string Email, string Provider), bool> p) => string.Join(",", state.Where(p).Select(u => u.Id).OrderBy(x => x));

            string firstName = state.Last().Username.Split('.')[0];
            string byFirstName = Ids("Get-VcdUser '" + firstName + ".*'");
            Assert.NotEmpty(byFirstName);
            Assert.Equal(Expected(u => Like(u.Username, firstName + ".") || Like(u.FullName, firstName + " ")), byFirstName);
            Assert.Equal(Expected(u => u.Username == state.Last().Username), Ids("Get-VcdUser -Name '" + state.Last().Username.ToUpperInvariant() + "'"));
            string aOrB = Ids("Get-VcdUser -Name 'a*', 'b*'");
            Assert.True(aOrB.Split(',').Length >= 2, aOrB);
            Assert.Equal(Expected(u => Like(u.Username, "a") || Like(u.FullName, "a") || Like(u.Username, "b") || Like(u.FullName, "b")), aOrB);
            Assert.Equal(Expected(u => u.Email.EndsWith("@acme.example")), Ids("Get-VcdUser -Email '*@acme.example'"));
            string ldap = Expected(u => u.Provider == "LDAP");
            Assert.NotEmpty(ldap);
            Assert.Equal(ldap, Ids("Get-VcdUser -Filter 'providerType==LDAP'"));
            Assert.Equal(Expected(u => u.Provider == "LDAP" && Like(u.Username, "a")), Ids("Get-VcdUser -Filter 'providerType==LDAP;username==a*'"));
            Assert.Empty(ps.Ok("Get-VcdUser -Name 'nobody-by-this-name*'"));
        }

        [Fact]
        public void A_filter_the_service_refuses_is_one_error_naming_the_field()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.ConnectVcd(emu);
            RunResult r = ps.Run("Get-VcdUser -Filter 'shoeSize==42'");
            Assert.Empty(r.Output);
            Assert.Equal(ErrorCategory.InvalidArgument, r.OnlyError.CategoryInfo.Category);
            Assert.Contains("shoeSize", r.OnlyError.Exception.Message);
        }

        [Theory]
        [InlineData("Get-VcdUser -Name $null")]
        [InlineData("Get-VcdUser -Name ''")]
        [InlineData("Get-VcdUser -Name @()")]
        [InlineData("Get-VcdUser -Name 'a*', $null")]
        [InlineData("Get-VcdUser -Email $null")]
        [InlineData("Get-VcdUser -Email ''")]
        [InlineData("Get-VcdUser -Filter $null")]
        [InlineData("Get-VcdUser -Filter ''")]
        [InlineData("Get-VcdUser -Id $null")]
        [InlineData("Get-VcdUser -Id ''")]
        [InlineData("Get-VcdUser -Id @()")]
        [InlineData("Get-VcdUser -Server @()")]
        [InlineData("$typo = $null; Get-VcdUser -Filter $typo")]
        [InlineData("Get-VcdRole -Name $null")]
        [InlineData("Get-VcdRole -Name ''")]
        [InlineData("Get-VcdRole -Id ''")]
        [InlineData("Get-VcdRole -Id @()")]
        [InlineData("Set-VcdUser -User '' -FullName x")]
        [InlineData("Set-VcdUser -User $null -FullName x")]
        [InlineData("Set-VcdUser -User vcd-admin -Role @() -Confirm:$false")]
        [InlineData("Remove-VcdUser -User $null -Confirm:$false")]
        [InlineData("Remove-VcdUser -User '' -Confirm:$false")]
        [InlineData("Remove-VcdUser -User @() -Confirm:$false")]
        [InlineData("New-VcdUser -Name '' -Password 'abcdefg1' -Role 'vApp User' -Confirm:$false")]
        public void An_empty_or_null_filter_is_refused_and_returns_or_changes_nothing(string script)
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.ConnectVcd(emu);
            var before = emu.State().GetProperty("vcd").GetProperty("users").GetRawText();
            RunResult r = ps.Run(script);
            Assert.Empty(r.Output);
            ErrorRecord e = Assert.Single(r.AllErrors);
            Assert.Contains("ParameterArgumentValidationError", e.FullyQualifiedErrorId);
            Assert.Equal(before, emu.State().GetProperty("vcd").GetProperty("users").GetRawText());
        }

        [Fact]
        public void Id_returns_the_users_found_and_one_not_found_error_per_unknown_id()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.ConnectVcd(emu);
            string[] ids = emu.TenantUsers().Take(2).Select(u => u.GetProperty("id").GetString()).ToArray();
            const string unknown1 = "urn:vcloud:user:00000000-0000-0000-0000-000000000001";
            const string unknown2 = "urn:vcloud:user:00000000-0000-0000-0000-000000000002";
            ps.Set("a", ids[0]);
            ps.Set("b", ids[1]);
            RunResult r = ps.Run("Get-VcdUser -Id $a, '" + unknown1 + "', $b, '" + unknown2 + "'");
            Assert.Null(r.Terminating);
            Assert.Equal(ids, r.Values.Cast<VcdUser>().Select(u => u.Id));
            Assert.Equal(2, r.Errors.Count);
            Assert.All(r.Errors, e => Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category));
            Assert.All(r.Errors, e => Assert.StartsWith("Vcs.notFound,", e.FullyQualifiedErrorId));
            Assert.Equal(new object[] { unknown1, unknown2 }, r.Errors.Select(e => e.TargetObject));
            Assert.Contains("request id", r.Errors[0].Exception.Message);
            // Text that is not a user URN at all: the service's reason, for that id alone.
            RunResult bad = ps.Run("Get-VcdUser -Id 'alice', $a");
            Assert.Equal(ids[0], Assert.Single(bad.Values.Cast<VcdUser>()).Id);
            Assert.Equal("alice", bad.OnlyError.TargetObject);
            Assert.Contains("URN", bad.OnlyError.Exception.Message);
            Assert.NotNull(ps.Run("Get-VcdUser -Id '" + unknown1 + "', $a -ErrorAction Stop; 'not reached'").Terminating);
        }

        [Fact]
        public void Ids_and_the_users_session_bind_from_the_pipeline()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.SetVcdVariables(emu);
            // A session outside the defaults: piped users are read again where they came from.
            ps.Set("s", ps.Ok("Connect-Vcd $vcdUrl -Org $vcdOrg -User $vcdUser -Password $vcdPassword -NotDefault").Single());
            int count = emu.TenantUsers().Count;
            Assert.Equal(count, ps.Ok("Get-VcdUser -Server $s | Get-VcdUser").Count);
            string id = emu.TenantUsers()[3].GetProperty("id").GetString();
            ps.Set("id", id);
            Assert.Equal(id, ps.Ok("[pscustomobject]@{ UserId = $id } | Get-VcdUser -Server $s").Single().Base<VcdUser>().Id);
            Assert.Equal(id, ps.Ok("[pscustomobject]@{ Id = $id; Server = $s.Name } | Get-VcdUser").Single().Base<VcdUser>().Id);
        }

        [Fact]
        public void Server_takes_objects_names_and_wildcards_and_refuses_unknown_names()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            var s = ps.ConnectVcd(emu).Base<VcdServer>();
            int count = emu.TenantUsers().Count;
            ps.Set("s", s);
            Assert.Equal(count, ps.Ok("Get-VcdUser -Server $s").Count);
            Assert.Equal(count, ps.Ok("Get-VcdUser -Server '" + s.Name + "'").Count);
            Assert.Equal(count, ps.Ok("Get-VcdUser -Server '127.0.0.*'").Count);
            Assert.Equal(6, ps.Ok("Get-VcdRole -Server '" + s.Name + "'").Count);
            RunResult r = ps.Run("Get-VcdUser -Server 'no-such-director'");
            Assert.Empty(r.Output);
            Assert.Contains("no-such-director", r.OnlyError.Exception.Message);
            Assert.Contains(s.Name, r.OnlyError.Exception.Message);
        }

        [Fact]
        public void Select_First_stops_the_listing_early()
        {
            using var emu = new Emulator(vcdUsers: 2000);
            using var ps = new PsSession(emu);
            ps.ConnectVcd(emu);
            // Page requests as the emulator counts them: the whole listing takes 16 or more (at most 128 a page).
            int before = emu.Requests("GET /cloudapi/1.0.0/users");
            ps.Ok("$null = Get-VcdUser");
            int all = emu.Requests("GET /cloudapi/1.0.0/users") - before;
            Assert.True(all >= 16, "the whole listing took " + all + " page requests");
            before = emu.Requests("GET /cloudapi/1.0.0/users");
            Assert.Equal(3, ps.Ok("Get-VcdUser | Select-Object -First 3").Count);
            System.Threading.Thread.Sleep(300);
            int first = emu.Requests("GET /cloudapi/1.0.0/users") - before;
            Assert.InRange(first, 1, 3);
        }

        [Fact]
        public void Role_lists_the_users_holding_it_and_piped_roles_never_bind_to_Id()
        {
            using var emu = new Emulator(vcdUsers: 150);
            using var ps = new PsSession(emu);
            ps.ConnectVcd(emu);
            var state = emu.TenantUsers();
            string[] Holding(params string[] roles) => state.Where(u => emu.RoleNames(u).Any(n => roles.Contains(n)))
                .Select(u => u.GetProperty("id").GetString()).OrderBy(x => x).ToArray();
            string[] Ids(RunResult r) => r.Values.Cast<VcdUser>().Select(u => u.Id).OrderBy(x => x).ToArray();

            string[] vAppUsers = Holding("vApp User");
            Assert.NotEmpty(vAppUsers);
            Assert.True(vAppUsers.Length < state.Count);
            RunResult piped = ps.Run("Get-VcdRole -Name 'vApp User' | Get-VcdUser");
            Assert.Empty(piped.AllErrors);
            Assert.Equal(vAppUsers, Ids(piped));
            // Two piped roles: their users, each once.
            RunResult two = ps.Run("Get-VcdRole -Name 'vApp*' | Get-VcdUser");
            Assert.Empty(two.AllErrors);
            Assert.Equal(Holding("vApp User", "vApp Author"), Ids(two));
            // By name, any case, combined with -Name.
            Assert.Equal(vAppUsers, Ids(ps.Run("Get-VcdUser -Role 'VAPP USER'")));
            string first = state.First().GetProperty("username").GetString().Split('.')[0];
            var expected = state.Where(u => emu.RoleNames(u).Contains("vApp User") && u.GetProperty("username").GetString().StartsWith(first + ".", StringComparison.OrdinalIgnoreCase)
                || emu.RoleNames(u).Contains("vApp User") && u.GetProperty("fullName").GetString().StartsWith(first + " ", StringComparison.OrdinalIgnoreCase))
                .Select(u => u.GetProperty("id").GetString()).OrderBy(x => x);
            Assert.Equal(expected, Ids(ps.Run("Get-VcdUser -Role 'vApp User' -Name '" + first + ".*'")));
            // A name that names no role is one ObjectNotFound error, not an empty answer (one rule with Get-CIUser);
            // a known one beside it still lists its users.
            RunResult unknown = ps.Run("Get-VcdUser -Role 'no such role'");
            Assert.Empty(unknown.Output);
            Assert.Equal(ErrorCategory.ObjectNotFound, unknown.AllErrors.Single().CategoryInfo.Category);
            Assert.Contains("no such role", unknown.AllErrors.Single().Exception.Message);
            RunResult mixed = ps.Run("Get-VcdUser -Role 'no such role', 'vApp User'");
            Assert.Equal(vAppUsers, Ids(mixed));
            Assert.Contains("no such role", mixed.AllErrors.Single().Exception.Message);
            Assert.Contains("Role", ps.Run("Get-VcdUser -Role ''").OnlyError.Exception.Message);
            // A user piped back is still read again by its Id.
            RunResult again = ps.Run("$three = Get-VcdUser -Role 'vApp User' | Select-Object -First 3; $three | Get-VcdUser");
            Assert.Empty(again.AllErrors);
            Assert.Equal(((object[])ps.Get("three")).Select(o => ((PSObject)o).Base<VcdUser>().Id).OrderBy(x => x), Ids(again));
        }

        [Fact]
        public void Id_takes_ids_only_a_name_is_not_found()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.ConnectVcd(emu);
            int before = emu.Requests("GET /cloudapi/1.0.0/users");
            RunResult r = ps.Run("Get-VcdUser -Id alice");
            Assert.Empty(r.Output);
            Assert.Equal(ErrorCategory.ObjectNotFound, r.OnlyError.CategoryInfo.Category);
            Assert.StartsWith("Vcs.notFound,", r.OnlyError.FullyQualifiedErrorId);
            Assert.Equal("alice", r.OnlyError.TargetObject);
            Assert.Equal(before, emu.Requests("GET /cloudapi/1.0.0/users"));
        }

        [Fact]
        public void Roles_by_name_with_wildcards_and_by_id_with_one_error_per_unknown_id()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            var session = ps.ConnectVcd(emu).Base<VcdServer>();
            var all = ps.Ok("Get-VcdRole");
            Assert.Equal(new[] { "Catalog Author", "Console Access Only", "Defer to Identity Provider", "Organization Administrator", "vApp Author", "vApp User" },
                all.Select(r => r.Base<VcdRole>().Name).OrderBy(n => n, StringComparer.Ordinal));
            Assert.All(all, r => Assert.Equal("VcsNative.VcdRole", r.TypeNames[0]));
            VcdRole admin = all.Select(r => r.Base<VcdRole>()).Single(r => r.Name == "Organization Administrator");
            Assert.Equal("ROLE_ORG_ADMIN", admin.BundleKey);
            Assert.True(admin.ReadOnly);
            Assert.False(string.IsNullOrEmpty(admin.Description));
            Assert.Same(session, admin.Server);

            Assert.Equal(new[] { "vApp Author", "vApp User" }, ps.Ok("Get-VcdRole 'VAPP*'").Select(r => r.Base<VcdRole>().Name).OrderBy(n => n));
            Assert.Equal(new[] { "Catalog Author", "vApp User" }, ps.Ok("Get-VcdRole -Name 'vApp User', 'Catalog*'").Select(r => r.Base<VcdRole>().Name).OrderBy(n => n));

            const string unknown = "urn:vcloud:role:00000000-0000-0000-0000-000000000009";
            ps.Set("adminId", admin.Id);
            RunResult r = ps.Run("Get-VcdRole -Id '" + unknown + "', $adminId");
            Assert.Equal("Organization Administrator", Assert.Single(r.Values.Cast<VcdRole>()).Name);
            ErrorRecord e = r.OnlyError;
            Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
            Assert.StartsWith("Vcs.notFound,", e.FullyQualifiedErrorId);
            Assert.Equal(unknown, e.TargetObject);

            // A user's role references pipe into Get-VcdRole.
            Assert.Equal("Organization Administrator", ps.Ok("(Get-VcdUser -Id $DefaultVcdServers[0].UserId).RoleRefs | Get-VcdRole").Single().Base<VcdRole>().Name);
        }
    }
}
