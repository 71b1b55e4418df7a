using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Text.Json;
using Xunit;

namespace VcsNative.Engine.Tests
{
    /// <summary>Cloud Director removals and changes confirm the users the library resolved; CSV cells that do not convert.</summary>
    public class VcdBulkTests
    {
        private static List<JsonElement> AcmeUsers(Emulator emu) =>
            emu.TenantUsers().Where(u => u.GetProperty("email").GetString().EndsWith("@acme.example", StringComparison.OrdinalIgnoreCase)).ToList();

        [Fact]
        public void A_pattern_removal_asks_once_per_resolved_user_naming_it_and_No_removes_nothing()
        {
            using var emu = new Emulator();
            var acme = AcmeUsers(emu);
            Assert.True(acme.Count >= 20);
            int before = emu.TenantUsers().Count;

            var no = new AnsweringHost("N");
            using (var ps = new PsSession(emu, no))
            {
                ps.ConnectVcd(emu);
                RunResult r = ps.Run("Remove-VcdUser '*@ACME.example'");
                Assert.Empty(r.AllErrors);
                Assert.Equal(acme.Count, no.Prompts.Count);
                // Each question names one resolved user (full name <email>), never the pattern.
                foreach (JsonElement u in acme)
                {
                    string named = u.GetProperty("fullName").GetString() + " <" + u.GetProperty("email").GetString() + ">";
                    Assert.Single(no.Prompts, p => p.Contains(named));
                }
                Assert.DoesNotContain(no.Prompts, p => p.Contains("*@"));
                Assert.Equal(before, emu.TenantUsers().Count);
                Assert.Equal(0, emu.Requests("DELETE /cloudapi/1.0.0/users/"));
            }

            var yes = new AnsweringHost("Y");
            using (var ps = new PsSession(emu, yes))
            {
                ps.ConnectVcd(emu);
                RunResult r = ps.Run("Remove-VcdUser '*@acme.example'");
                Assert.Empty(r.AllErrors);
                Assert.Equal(acme.Count, yes.Prompts.Count);
                Assert.Empty(AcmeUsers(emu));
                Assert.Equal(before - acme.Count, emu.TenantUsers().Count);
                Assert.Contains(emu.VcdUser, emu.TenantUsernames());
            }
        }

        [Fact]
        public void WhatIf_with_Force_names_every_user_a_pattern_reaches_and_removes_nothing()
        {
            using var emu = new Emulator();
            var host = new AnsweringHost("N");
            using var ps = new PsSession(emu, host);
            ps.ConnectVcd(emu);
            var acme = AcmeUsers(emu);
            RunResult r = ps.Run("Remove-VcdUser '*@acme.example' -Force -WhatIf");
            Assert.Empty(r.AllErrors);
            Assert.Empty(host.Prompts);
            var whatIf = host.Lines.Where(l => l.StartsWith("What if:")).ToList();
            Assert.Equal(acme.Count, whatIf.Count);
            foreach (JsonElement u in acme) Assert.Single(whatIf, l => l.Contains("<" + u.GetProperty("email").GetString() + ">"));
            Assert.Equal(acme.Count, AcmeUsers(emu).Count);
            Assert.Equal(0, emu.Requests("DELETE /cloudapi/1.0.0/users/"));
        }

        [Fact]
        public void A_pattern_matches_the_full_name_case_insensitively()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.ConnectVcd(emu);
            // "first *" (with a space) matches full names only: usernames are first.lastN.
            string first = AcmeUsers(emu)[0].GetProperty("fullName").GetString().Split(' ')[0];
            var wims = emu.TenantUsers().Where(u => u.GetProperty("fullName").GetString().StartsWith(first + " ")).Select(u => u.GetProperty("username").GetString()).ToList();
            Assert.NotEmpty(wims);
            int before = emu.TenantUsers().Count;
            ps.Ok("Remove-VcdUser '" + first.ToLowerInvariant() + " *' -Confirm:$false");
            Assert.Equal(before - wims.Count, emu.TenantUsers().Count);
            Assert.All(wims, w => Assert.DoesNotContain(w, emu.TenantUsernames()));
        }

        [Fact]
        public void The_signed_in_account_is_refused_naming_AllowSelf_and_AllowSelf_sends_it_to_the_server()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.ConnectVcd(emu);
            RunResult refused = ps.Run("Remove-VcdUser '" + emu.VcdUser + "' -Confirm:$false");
            ErrorRecord e = refused.OnlyError;
            Assert.Contains("-AllowSelf", e.Exception.Message);
            Assert.DoesNotContain("--allow-self", e.Exception.Message);
            Assert.Equal(emu.VcdUser, Assert.IsType<VcsBulkTarget>(e.TargetObject).Username);
            Assert.Equal(0, emu.Requests("DELETE /cloudapi/1.0.0/users/"));

            // With -AllowSelf the request is sent; the emulated server refuses its own account.
            RunResult sent = ps.Run("Remove-VcdUser '" + emu.VcdUser + "' -AllowSelf -Confirm:$false");
            Assert.DoesNotContain("AllowSelf", sent.OnlyError.Exception.Message);
            Assert.Equal(1, emu.Requests("DELETE /cloudapi/1.0.0/users/"));
            Assert.Contains(emu.VcdUser, emu.TenantUsernames());
        }

        [Fact]
        public void Csv_cells_that_do_not_convert_are_errors_naming_column_and_value_and_the_row_is_not_created()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.ConnectVcd(emu);
            const string csv =
                "Username,Password,Role,Enabled,StoredVmQuota,DeployedVmQuota\n" +
                "cell.good,Cell-Pass-1,vApp User,true,7,\n" +
                "cell.abc,Cell-Pass-2,vApp User,,abc,\n" +
                "cell.big,Cell-Pass-3,vApp User,,2147483648,\n" +
                "cell.neg,Cell-Pass-4,vApp User,,,-1\n" +
                "cell.maybe,Cell-Pass-5,vApp User,maybe,,\n" +
                "cell.last,Cell-Pass-6,vApp User,false,,3\n";
            ps.Set("csv", csv);
            RunResult r = ps.Run("$csv | ConvertFrom-Csv | New-VcdUser -Confirm:$false");
            Assert.Null(r.Terminating);
            Assert.Equal(new[] { "cell.good", "cell.last" }, r.Values.Cast<VcdUser>().Select(u => u.Username).OrderBy(n => n));
            var expected = new Dictionary<string, string>
            {
                ["cell.abc"] = "StoredVmQuota 'abc'",
                ["cell.big"] = "StoredVmQuota '2147483648'",
                ["cell.neg"] = "DeployedVmQuota '-1'",
                ["cell.maybe"] = "Enabled 'maybe'",
            };
            Assert.Equal(expected.Count, r.Errors.Count);
            foreach (var (user, cell) in expected)
            {
                ErrorRecord e = r.Errors.Single(x => Equals(x.TargetObject, user));
                Assert.Contains(cell, e.Exception.Message);
                Assert.Equal(ErrorCategory.InvalidArgument, e.CategoryInfo.Category);
                Assert.StartsWith("Vcs.invalidArgument,", e.FullyQualifiedErrorId);
            }
            var names = emu.TenantUsernames();
            Assert.Contains("cell.good", names);
            Assert.Contains("cell.last", names);
            Assert.All(expected.Keys, u => Assert.DoesNotContain(u, names));
            Assert.Equal(7, emu.TenantUser("cell.good").GetProperty("storedVmQuota").GetInt32());
            Assert.Equal(3, emu.TenantUser("cell.last").GetProperty("deployedVmQuota").GetInt32());
        }

        [Fact]
        public void Set_VcdUser_names_the_user_the_library_resolved_and_refuses_a_pattern_of_several()
        {
            using var emu = new Emulator();
            JsonElement target = AcmeUsers(emu)[0];
            string email = target.GetProperty("email").GetString();
            var no = new AnsweringHost("N");
            using var ps = new PsSession(emu, no);
            ps.ConnectVcd(emu);

            RunResult asked = ps.Run("Set-VcdUser '" + email.ToUpperInvariant() + "' -Description 'changed' -Confirm");
            Assert.Empty(asked.AllErrors);
            Assert.Contains(target.GetProperty("fullName").GetString() + " <" + email + ">", Assert.Single(no.Prompts));
            Assert.Equal("", emu.TenantUser(target.GetProperty("username").GetString()).GetProperty("description").GetString());

            RunResult several = ps.Run("Set-VcdUser '*@acme.example' -Description 'changed' -Confirm:$false");
            Assert.Single(several.AllErrors);
            Assert.Single(no.Prompts);
            Assert.DoesNotContain(emu.TenantUsers(), u => u.GetProperty("description").GetString() == "changed");
        }
    }
}
