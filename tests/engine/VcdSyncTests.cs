using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using Xunit;

namespace VcsNative.Engine.Tests
{
    /// <summary>Export-VcdUser and Sync-VcdUser against the emulator's Cloud Director tenant.</summary>
    public class VcdSyncTests
    {
        private static (Emulator, PsSession, string) Start(int vcdUsers = 8)
        {
            var emu = new Emulator(users: 5, vcdUsers: vcdUsers);
            var ps = new PsSession(emu);
            ps.ConnectVcd(emu);
            string dir = ExportSyncTests.TempDir();
            ps.Set("dir", dir);
            ps.Ok("Set-Location $dir");
            return (emu, ps, dir);
        }

        private static void Write(string dir, IEnumerable<string> lines) => File.WriteAllText(Path.Combine(dir, "users.csv"), string.Join("\n", lines) + "\n");

        [Fact]
        public void Export_writes_exactly_the_file_the_CLI_writes()
        {
            var (emu, ps, dir) = Start();
            using (emu)
            using (ps)
            {
                ps.Ok("Export-VcdUser -Path users.csv");
                byte[] cli = ExportSyncTests.Cli(new Dictionary<string, string>
                {
                    ["VCD_SERVER"] = emu.VcdUrl, ["VCD_ORG"] = emu.VcdOrg, ["VCD_USER"] = emu.VcdUser, ["VCD_PASSWORD"] = emu.VcdPassword,
                }, "vcd", "user", "list", "--csv");
                Assert.Equal(cli, File.ReadAllBytes(Path.Combine(dir, "users.csv")));
                Assert.Equal(emu.TenantUsers().Count + 1, File.ReadAllLines(Path.Combine(dir, "users.csv")).Length);
            }
        }

        [Fact]
        public void A_new_and_a_changed_row_are_planned_applied_and_a_second_sync_plans_nothing()
        {
            var (emu, ps, dir) = Start();
            using (emu)
            using (ps)
            {
                ps.Ok("Export-VcdUser -Path users.csv");
                var lines = File.ReadAllLines(Path.Combine(dir, "users.csv")).ToList();
                int i = lines.FindIndex(l => l.Contains(",LOCAL") && !l.StartsWith(emu.VcdUser + ","));
                string changed = lines[i].Split(',')[0];
                string[] cells = lines[i].Split(',');
                cells[3] = "Renamed Person";
                lines[i] = string.Join(",", cells);
                lines.Add("dana.new,Secret-Pass-1,vApp User,Dana New,dana.new@acme.example,true,LOCAL");
                Write(dir, lines);

                var plan = ps.Ok("Sync-VcdUser -Path users.csv -WhatIf").Select(o => (SyncPlanRow)o.BaseObject).ToList();
                Assert.Equal(lines.Count - 1, plan.Count);
                Assert.Equal(("Update", changed, i + 1), plan.Where(p => p.Action == "Update").Select(p => (p.Action, p.User, p.Line.Value)).Single());
                Assert.Equal(("Create", "dana.new", lines.Count), plan.Where(p => p.Action == "Create").Select(p => (p.Action, p.User, p.Line.Value)).Single());
                Assert.DoesNotContain("Secret-Pass-1", string.Join(" ", plan.SelectMany(p => p.Changes)));
                Assert.DoesNotContain(emu.TenantUsers(), u => u.GetProperty("username").GetString() == "dana.new");

                var results = ps.Ok("Sync-VcdUser -Path users.csv -Confirm:$false").Select(o => (SyncResult)o.BaseObject).OrderBy(r => r.Line).ToList();
                Assert.Equal(new[] { ("Update", "updated"), ("Create", "created") }, results.Select(r => (r.Action, r.Outcome)));
                Assert.Equal("Renamed Person", emu.TenantUser(changed).GetProperty("fullName").GetString());
                Assert.Equal("vApp User", emu.RoleNames(emu.TenantUser("dana.new")).Single());

                Assert.All(ps.Ok("Sync-VcdUser -Path users.csv -WhatIf"), o => Assert.Equal("None", ((SyncPlanRow)o.BaseObject).Action));
            }
        }

        [Fact]
        public void A_500_on_one_user_fails_that_row_alone_and_the_others_apply()
        {
            var (emu, ps, dir) = Start();
            using (emu)
            using (ps)
            {
                ps.Ok("Export-VcdUser -Path users.csv");
                var lines = File.ReadAllLines(Path.Combine(dir, "users.csv")).ToList();
                var picked = Enumerable.Range(1, lines.Count - 1).Where(i => !lines[i].StartsWith(emu.VcdUser + ",")).Take(3).ToList();
                foreach (int i in picked)
                {
                    string[] cells = lines[i].Split(',');
                    cells[3] = "Changed " + cells[0];
                    lines[i] = string.Join(",", cells);
                }
                Write(dir, lines);
                string failing = lines[picked[1]].Split(',')[0];
                string urn = emu.TenantUser(failing).GetProperty("id").GetString();
                emu.Control("/_emulator/faults", "{\"method\": \"PUT\", \"path\": \"/cloudapi/1.0.0/users/" + Uri.EscapeDataString(urn) + "\", \"status\": 500, \"times\": 50}");
                RunResult r = ps.Run("Sync-VcdUser -Path users.csv -Force");
                var results = r.Output.Select(o => (SyncResult)o.BaseObject).ToList();
                Assert.Equal(3, results.Count);
                Assert.False(results.Single(x => x.User == failing).Ok);
                Assert.All(results.Where(x => x.User != failing), x => Assert.Equal("updated", x.Outcome));
                ErrorRecord e = r.OnlyError;
                Assert.Equal(failing, e.TargetObject);
                Assert.Contains("Line " + (picked[1] + 1), e.Exception.Message);
                Assert.NotEqual("Changed " + failing, emu.TenantUser(failing).GetProperty("fullName").GetString());
                foreach (int i in new[] { picked[0], picked[2] })
                {
                    string name = lines[i].Split(',')[0];
                    Assert.Equal("Changed " + name, emu.TenantUser(name).GetProperty("fullName").GetString());
                }
            }
        }

        [Fact]
        public void A_LOCAL_row_without_a_password_is_an_error_naming_line_and_column_and_nothing_is_applied()
        {
            var (emu, ps, dir) = Start();
            using (emu)
            using (ps)
            {
                ps.Ok("Export-VcdUser -Path users.csv");
                var lines = File.ReadAllLines(Path.Combine(dir, "users.csv")).ToList();
                lines.Add("no.password,,vApp User,No Password,np@acme.example,true,LOCAL");
                lines.Add("fine.user,Secret-Pass-2,vApp User,Fine User,fu@acme.example,true,LOCAL");
                Write(dir, lines);
                int before = emu.TenantUsers().Count;
                RunResult r = ps.Run("Sync-VcdUser -Path users.csv -Confirm:$false");
                Assert.Empty(r.Output);
                Assert.Contains("Line " + (lines.Count - 1) + ", column Password", r.OnlyError.Exception.Message);
                Assert.Equal("no.password", r.OnlyError.TargetObject);
                Assert.Equal(before, emu.TenantUsers().Count);
            }
        }

        [Fact]
        public void Pruning_the_signed_in_account_is_refused_with_an_error_naming_AllowSelf()
        {
            var (emu, ps, dir) = Start();
            using (emu)
            using (ps)
            {
                ps.Ok("Export-VcdUser -Path users.csv");
                var lines = File.ReadAllLines(Path.Combine(dir, "users.csv")).ToList();
                string dropped = lines.Last().Split(',')[0];
                Write(dir, lines.Where(l => !l.StartsWith(emu.VcdUser + ",") && !l.StartsWith(dropped + ",")));
                RunResult r = ps.Run("Sync-VcdUser -Path users.csv -Prune -Confirm:$false");
                var result = (SyncResult)r.Output.Single().BaseObject;
                Assert.Equal(("Remove", dropped, "removed"), (result.Action, result.User, result.Outcome));
                ErrorRecord e = r.OnlyError;
                Assert.Contains("-AllowSelf", e.Exception.Message);
                Assert.Equal(emu.VcdUser, e.TargetObject);
                Assert.Contains(emu.VcdUser, emu.TenantUsernames());
                Assert.DoesNotContain(dropped, emu.TenantUsernames());
            }
        }
    }
}
