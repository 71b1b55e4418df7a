using System.Linq;
using System.Management.Automation;
using System.Text.Json;
using Xunit;

namespace VcsNative.Engine.Tests
{
    public class VcdSetUserTests
    {
        [Fact]
        public void Only_the_parameters_given_are_changed()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            var session = ps.ConnectVcd(emu).Base<VcdServer>();
            ps.CreateUsers("temp.set");

            void Changes(string script, params string[] fields)
            {
                JsonElement before = emu.TenantUser("temp.set");
                ps.Ok(script);
                Assert.Equal(fields.OrderBy(f => f), VcdTestSupport.ChangedFields(before, emu.TenantUser("temp.set")));
            }

            var now = ps.Ok("Set-VcdUser temp.set -FullName 'Changed Name'").Single().Base<VcdUser>();
            Assert.Equal("Changed Name", now.FullName);
            Assert.Equal("temp.set@acme.example", now.Email);
            Assert.Same(session, now.Server);
            Assert.Equal("Changed Name", emu.TenantUser("temp.set").GetProperty("fullName").GetString());
            Changes("$null = Set-VcdUser temp.set -Email 'other@acme.example'", "email");
            Changes("$null = Set-VcdUser temp.set -Enabled $false", "enabled");
            Assert.False(emu.TenantUser("temp.set").GetProperty("enabled").GetBoolean());
            Changes("$null = Set-VcdUser temp.set -Enabled true", "enabled");
            Changes("$null = Set-VcdUser temp.set -Description ''", "description");
            Assert.Equal("", emu.TenantUser("temp.set").GetProperty("description").GetString());
            Changes("$null = Set-VcdUser temp.set -Role 'Catalog Author', (Get-VcdRole 'vApp Author')", "roleIds");
            Assert.Equal(new[] { "Catalog Author", "vApp Author" }, emu.RoleNames(emu.TenantUser("temp.set")));
            Changes("$null = Set-VcdUser temp.set -StoredVmQuota 7 -DeployedVmQuota 3", "storedVmQuota", "deployedVmQuota");
            // Nothing to change: nothing changes.
            Changes("$null = Set-VcdUser temp.set");
        }

        [Fact]
        public void A_new_password_works_and_is_nowhere_but_in_the_hash()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.ConnectVcd(emu);
            ps.CreateUsers("temp.pw");
            JsonElement before = emu.TenantUser("temp.pw");
            RunResult r = ps.Run("Set-VcdUser temp.pw -Password 'Brand-New-Pass-9'; Set-VcdUser temp.pw -Password 'abc'");
            var changed = VcdTestSupport.ChangedFields(before, emu.TenantUser("temp.pw"));
            Assert.Contains("passwordHash", changed);
            Assert.All(changed, f => Assert.StartsWith("password", f));
            // The too short one is refused, without showing it.
            ErrorRecord tooShort = r.OnlyError;
            Assert.Equal(ErrorCategory.InvalidArgument, tooShort.CategoryInfo.Category);
            string everything = emu.State().GetRawText() + tooShort + tooShort.Exception + string.Join("\n", r.Output.SelectMany(o => o.Properties.Select(p => p.Name + "=" + p.Value)));
            Assert.DoesNotContain("Brand-New-Pass-9", everything);
            Assert.DoesNotContain("'abc'", everything);
            ps.Ok("$null = Connect-Vcd $vcdUrl -Org $vcdOrg -User temp.pw -Password (ConvertTo-SecureString 'Brand-New-Pass-9' -AsPlainText -Force) -NotDefault");
            Assert.Equal(ErrorCategory.AuthenticationError, ps.Run("Connect-Vcd $vcdUrl -Org $vcdOrg -User temp.pw -Password 'Temp-Pass-1temp.pw' -NotDefault").OnlyError.CategoryInfo.Category);
        }

        [Fact]
        public void User_takes_piped_objects_urns_and_usernames_in_any_case()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.ConnectVcd(emu);
            ps.CreateUsers("temp.one", "temp.two", "temp.three");
            ps.Ok("Get-VcdUser -Name 'temp.*' | Set-VcdUser -Description 'piped'");
            Assert.All(new[] { "temp.one", "temp.two", "temp.three" }, n => Assert.Equal("piped", emu.TenantUser(n).GetProperty("description").GetString()));
            ps.Set("urn", emu.TenantUser("temp.two").GetProperty("id").GetString());
            Assert.Equal("by urn", ps.Ok("Set-VcdUser $urn -FullName 'by urn'").Single().Base<VcdUser>().FullName);
            Assert.Equal("by name", ps.Ok("Set-VcdUser -User 'TEMP.THREE' -FullName 'by name'").Single().Base<VcdUser>().FullName);
            Assert.Equal("by name", emu.TenantUser("temp.three").GetProperty("fullName").GetString());
        }

        [Fact]
        public void A_piped_user_is_changed_in_its_own_session()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.SetVcdVariables(emu);
            ps.Set("s", ps.Ok("Connect-Vcd $vcdUrl -Org $vcdOrg -User $vcdUser -Password $vcdPassword -NotDefault").Single());
            Assert.Empty(ps.Ok("$DefaultVcdServers"));
            ps.Ok("Get-VcdUser -Server $s -Name $vcdUser | Set-VcdUser -FullName 'Own Session'");
            Assert.Equal("Own Session", emu.TenantUser(emu.VcdUser).GetProperty("fullName").GetString());
        }

        [Fact]
        public void Unknown_users_are_one_not_found_error_each()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.ConnectVcd(emu);
            const string unknownUrn = "urn:vcloud:user:00000000-0000-0000-0000-00000000abcd";
            RunResult r = ps.Run("'nobody.here', '" + unknownUrn + "', $vcdUser | Set-VcdUser -Description 'found'");
            Assert.Equal(new[] { emu.VcdUser }, r.Values.Cast<VcdUser>().Select(u => u.Username));
            Assert.Equal(2, r.Errors.Count);
            Assert.All(r.Errors, e => Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category));
            Assert.Equal(new object[] { "nobody.here", unknownUrn }, r.Errors.Select(e => e.TargetObject));
            Assert.Equal("found", emu.TenantUser(emu.VcdUser).GetProperty("description").GetString());
            RunResult wrongType = ps.Run("Set-VcdUser -User 42 -FullName x");
            Assert.Equal(ErrorCategory.InvalidArgument, wrongType.OnlyError.CategoryInfo.Category);
        }

        [Fact]
        public void WhatIf_changes_nothing_and_never_calls_the_service()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.ConnectVcd(emu);
            ps.CreateUsers("temp.wi");
            string before = emu.TenantUser("temp.wi").GetRawText();
            ps.Ok("Set-VcdUser temp.wi -FullName 'What If' -Password 'WhatIf-pass-9' -Enabled $false -WhatIf; Get-VcdUser -Name temp.wi | Set-VcdUser -Role 'Catalog Author' -WhatIf");
            Assert.Equal(before, emu.TenantUser("temp.wi").GetRawText());
            Assert.Equal(0, emu.Requests("PUT "));
        }
    }
}
