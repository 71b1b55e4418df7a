using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.Json;
using Xunit;

namespace VcsNative.Engine.Tests
{
    public class VcdNewUserTests
    {
        private const string Csv =
            "Username,Password,Role,FullName,Email,Enabled,ProviderType,StoredVmQuota\n" +
            "csv.one,Csv-Pass-One-1,vApp User,Csv One,csv.one@acme.example,true,LOCAL,5\n" +
            "csv.two,Csv-Pass-Two-2,Catalog Author;vApp Author,Csv Two,csv.two@acme.example,false,LOCAL,\n" +
            "csv.ldap,,vApp User,Csv Ldap,,,LDAP,\n" +
            "csv.badrole,Csv-Pass-Bad-3,No Such Role,Bad Role,,,LOCAL,\n" +
            "csv.nopass,,vApp User,No Password,,,LOCAL,\n" +
            "csv.default,Csv-Pass-Four-4,vApp User,,,,,\n";

        private static readonly string[] Passwords = { "Csv-Pass-One-1", "Csv-Pass-Two-2", "Csv-Pass-Bad-3", "Csv-Pass-Four-4" };

        private static string WriteCsv(string text)
        {
            string path = Path.Combine(Path.GetTempPath(), "vcd-users-" + Guid.NewGuid().ToString("N") + ".csv");
            File.WriteAllText(path, text);
            return path;
        }

        [Fact]
        public void Csv_rows_create_the_good_users_and_each_refused_row_is_one_error_naming_it()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            var session = ps.ConnectVcd(emu).Base<VcdServer>();
            string csv = WriteCsv(Csv);
            try
            {
                ps.Set("csv", csv);
                RunResult r = ps.Run("Import-Csv $csv | New-VcdUser -Confirm:$false");
                Assert.Null(r.Terminating);

                var created = r.Values.Cast<VcdUser>().ToList();
                Assert.Equal(new[] { "csv.default", "csv.ldap", "csv.one", "csv.two" }, created.Select(u => u.Username).OrderBy(n => n));
                Assert.All(created, u => Assert.Same(session, u.Server));
                Assert.Equal(new[] { "Catalog Author", "vApp Author" }, created.Single(u => u.Name == "csv.two").Roles);

                Assert.Equal(2, r.Errors.Count);
                ErrorRecord badRole = r.Errors.Single(e => Equals(e.TargetObject, "csv.badrole"));
                Assert.Contains("No Such Role", badRole.Exception.Message);
                Assert.Equal(ErrorCategory.InvalidArgument, badRole.CategoryInfo.Category);
                ErrorRecord noPass = r.Errors.Single(e => Equals(e.TargetObject, "csv.nopass"));
                Assert.Contains("password", noPass.Exception.Message);

                // The service holds what the rows said.
                var names = emu.TenantUsernames();
                Assert.DoesNotContain("csv.badrole", names);
                Assert.DoesNotContain("csv.nopass", names);
                JsonElement one = emu.TenantUser("csv.one");
                Assert.Equal("Csv One", one.GetProperty("fullName").GetString());
                Assert.Equal("csv.one@acme.example", one.GetProperty("email").GetString());
                Assert.True(one.GetProperty("enabled").GetBoolean());
                Assert.Equal(5, one.GetProperty("storedVmQuota").GetInt32());
                Assert.Equal(new[] { "vApp User" }, emu.RoleNames(one));
                JsonElement two = emu.TenantUser("csv.two");
                Assert.False(two.GetProperty("enabled").GetBoolean());
                Assert.Equal(new[] { "Catalog Author", "vApp Author" }, emu.RoleNames(two));
                Assert.Equal("LDAP", emu.TenantUser("csv.ldap").GetProperty("providerType").GetString());
                Assert.Equal("LOCAL", emu.TenantUser("csv.default").GetProperty("providerType").GetString());
                Assert.True(emu.TenantUser("csv.default").GetProperty("enabled").GetBoolean());

                // The passwords are nowhere but in the service's hashes, and they work.
                string everything = emu.State().GetRawText() + string.Join("\n", r.AllErrors.Select(e => e.ToString() + e.Exception))
                    + string.Join("\n", r.Output.SelectMany(o => o.Properties.Select(p => p.Name + "=" + p.Value)));
                foreach (string pw in Passwords) Assert.DoesNotContain(pw, everything);
                Assert.False(string.IsNullOrEmpty(one.GetProperty("passwordHash").GetString()));
                var login = ps.Ok("Connect-Vcd $vcdUrl -Org $vcdOrg -User csv.one -Password 'Csv-Pass-One-1' -NotDefault").Single().Base<VcdServer>();
                Assert.Equal("csv.one", login.User);
            }
            finally
            {
                File.Delete(csv);
            }
        }

        [Fact]
        public void Name_Username_and_a_UserName_column_all_bind()
        {
            // The script module declared the alias twice ('Username', 'UserName') and failed on every call.
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.ConnectVcd(emu);
            ps.Ok("$null = New-VcdUser -Name by.name -Password 'Pass-by-name1' -Role 'vApp User' -Confirm:$false");
            ps.Ok("$null = New-VcdUser -Username by.username -Password 'Pass-by-name2' -Role 'vApp User' -Confirm:$false");
            ps.Ok("$null = New-VcdUser -UserName by.username2 -Password 'Pass-by-name3' -Roles 'vApp User' -Confirm:$false");
            ps.Ok("$null = New-VcdUser by.position -Password 'Pass-by-name4' -Role 'vApp User' -Confirm:$false");
            ps.Ok("$null = 'UserName,Password,Roles', 'by.csv.column,Pass-by-name5,vApp User' | ConvertFrom-Csv | New-VcdUser -Confirm:$false");
            ps.Ok("$null = [pscustomobject]@{ Name = 'by.object'; Password = 'Pass-by-name6'; Role = 'vApp User' } | New-VcdUser -Confirm:$false");
            var names = emu.TenantUsernames();
            foreach (string n in new[] { "by.name", "by.username", "by.username2", "by.position", "by.csv.column", "by.object" }) Assert.Contains(n, names);
        }

        [Fact]
        public void Role_takes_role_objects_urns_and_names()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.ConnectVcd(emu);
            var u = ps.Ok("New-VcdUser roles.objects -Password 'Roles-pass-1' -Role (Get-VcdRole 'vApp*') -Confirm:$false").Single().Base<VcdUser>();
            Assert.Equal(new[] { "vApp Author", "vApp User" }, u.Roles.OrderBy(n => n));
            ps.Ok("$null = New-VcdUser roles.urn -Password 'Roles-pass-2' -Role (Get-VcdRole 'Catalog Author').Id, 'Console Access Only' -Confirm:$false");
            Assert.Equal(new[] { "Catalog Author", "Console Access Only" }, emu.RoleNames(emu.TenantUser("roles.urn")));
        }

        [Fact]
        public void Enabled_and_IsGroupRole_take_switches_bools_and_csv_text()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.ConnectVcd(emu);
            ps.Ok("$null = New-VcdUser off.bool -Password 'Enabled-pass-1' -Role 'vApp User' -Enabled $false -Confirm:$false");
            ps.Ok("$null = New-VcdUser group.switch -ProviderType saml -IsGroupRole -Role 'Defer to Identity Provider' -Confirm:$false");
            ps.Ok("$null = 'Username,ProviderType,IsGroupRole,Enabled,Role', 'group.csv,SAML,true,false,Defer to Identity Provider', 'nogroup.csv,LDAP,FALSE,yes,vApp User' | ConvertFrom-Csv | New-VcdUser -Confirm:$false");
            Assert.False(emu.TenantUser("off.bool").GetProperty("enabled").GetBoolean());
            JsonElement groupSwitch = emu.TenantUser("group.switch");
            Assert.True(groupSwitch.GetProperty("isGroupRole").GetBoolean());
            Assert.Equal("SAML", groupSwitch.GetProperty("providerType").GetString());
            JsonElement groupCsv = emu.TenantUser("group.csv");
            Assert.True(groupCsv.GetProperty("isGroupRole").GetBoolean());
            Assert.False(groupCsv.GetProperty("enabled").GetBoolean());
            JsonElement noGroup = emu.TenantUser("nogroup.csv");
            Assert.False(noGroup.GetProperty("isGroupRole").GetBoolean());
            Assert.True(noGroup.GetProperty("enabled").GetBoolean());
        }

        [Fact]
        public void A_row_the_engine_cannot_bind_is_one_error_and_the_other_rows_are_created()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.ConnectVcd(emu);
            RunResult r = ps.Run("'Username,Password,Role,Enabled,ProviderType', 'ok.one,Bind-pass-1,vApp User,true,LOCAL', 'bad.enabled,Bind-pass-2,vApp User,maybe,LOCAL', 'bad.provider,Bind-pass-3,vApp User,true,KERBEROS', 'ok.two,Bind-pass-4,vApp User,false,local' | ConvertFrom-Csv | New-VcdUser -Confirm:$false");
            Assert.Equal(new[] { "ok.one", "ok.two" }, r.Values.Cast<VcdUser>().Select(u => u.Username));
            Assert.Equal(2, r.AllErrors.Count());
            var names = emu.TenantUsernames();
            Assert.Contains("ok.two", names);
            Assert.DoesNotContain("bad.enabled", names);
            Assert.DoesNotContain("bad.provider", names);
        }

        [Fact]
        public void A_duplicate_username_is_a_conflict_for_that_row()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.ConnectVcd(emu);
            RunResult r = ps.Run("New-VcdUser $vcdUser -Password 'Dup-pass-1' -Role 'vApp User' -Confirm:$false");
            Assert.Empty(r.Output);
            Assert.StartsWith("Vcs.conflict,", r.OnlyError.FullyQualifiedErrorId);
            Assert.Equal(emu.VcdUser, r.OnlyError.TargetObject);
            Assert.NotNull(ps.Run("New-VcdUser $vcdUser -Password 'Dup-pass-1' -Role 'vApp User' -Confirm:$false -ErrorAction Stop; 'not reached'").Terminating);
        }

        [Fact]
        public void WhatIf_and_a_declined_Confirm_create_nothing_and_never_call_the_service()
        {
            using var emu = new Emulator();
            var host = new AnsweringHost("N");
            using var ps = new PsSession(emu, host);
            ps.ConnectVcd(emu);
            string before = JsonSerializer.Serialize(emu.TenantUsernames());
            ps.Ok("'Username,Password,Role', 'wi.one,WhatIf-pass-1,vApp User', 'wi.two,WhatIf-pass-2,vApp User' | ConvertFrom-Csv | New-VcdUser -WhatIf");
            ps.Ok("New-VcdUser wi.three -Password 'WhatIf-pass-3' -Role 'vApp User' -Confirm");
            Assert.Single(host.Prompts);
            Assert.Equal(before, JsonSerializer.Serialize(emu.TenantUsernames()));
            Assert.Equal(0, emu.Requests("POST /cloudapi/1.0.0/users"));
        }

        [Fact]
        public void A_failed_call_reports_every_row_and_loses_none()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.ConnectVcd(emu);
            emu.Control("/_emulator/faults", "{\"method\": \"POST\", \"path\": \"/cloudapi/1.0.0/users\", \"status\": 503}");
            RunResult r = ps.Run("'Username,Password,Role', 'down.one,Down-pass-1,vApp User', 'down.two,Down-pass-2,vApp User' | ConvertFrom-Csv | New-VcdUser -Confirm:$false");
            Assert.Empty(r.Output);
            Assert.Equal(new object[] { "down.one", "down.two" }, r.AllErrors.Select(e => e.TargetObject).OrderBy(t => (string)t));
            Assert.DoesNotContain("down.one", emu.TenantUsernames());
        }
    }
}
