using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using Xunit;

namespace VcsNative.Engine.Tests
{
    /// <summary>Export-VcsUser and Sync-VcsUser against the emulator, and the CLI's file for comparison.</summary>
    [Collection("Timed")]
    public class ExportSyncTests
    {
        /// <summary>scripts/vcs with the given arguments and environment; its stdout, as bytes.</summary>
        internal static byte[] Cli(IDictionary<string, string> env, params string[] args)
        {
            var start = new ProcessStartInfo(Path.Combine(Paths.RepoRoot, "scripts", "vcs"))
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string a in args) start.ArgumentList.Add(a);
            foreach (var kv in env) start.Environment[kv.Key] = kv.Value;
            using Process p = Process.Start(start);
            var stdout = new MemoryStream();
            var copy = p.StandardOutput.BaseStream.CopyToAsync(stdout);
            string err = p.StandardError.ReadToEnd();
            copy.Wait();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, "vcs " + string.Join(" ", args) + " failed: " + err);
            return stdout.ToArray();
        }

        internal static string TempDir()
        {
            string dir = Path.Combine(Path.GetTempPath(), "vcs-sync-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            return dir;
        }

        private static (Emulator, PsSession, string) Start(int users = 40, int invitations = 6)
        {
            var emu = new Emulator(users: users, invitations: invitations);
            var ps = new PsSession(emu);
            ps.Connect();
            string dir = TempDir();
            ps.Set("dir", dir);
            ps.Ok("Set-Location $dir");
            return (emu, ps, dir);
        }

        private static List<string> Actions(RunResult r) => r.Output.Select(o => ((SyncPlanRow)o.BaseObject).Action).ToList();

        [Fact]
        public void Export_writes_exactly_the_file_the_CLI_writes()
        {
            var (emu, ps, dir) = Start();
            using (emu)
            using (ps)
            {
                var file = (FileInfo)ps.Ok("Export-VcsUser -Path org.csv").Single().BaseObject;
                Assert.Equal(Path.Combine(dir, "org.csv"), file.FullName);
                byte[] cli = Cli(new Dictionary<string, string> { ["VCS_SERVER"] = emu.Url, ["VCS_API_TOKEN"] = emu.ApiToken }, "user", "list", "--csv");
                Assert.Equal(cli, File.ReadAllBytes(file.FullName));
                Assert.Equal(CspState.Users(emu).Count + 1, File.ReadAllLines(file.FullName).Length);
            }
        }

        [Fact]
        public void A_failed_export_names_Path_and_leaves_an_earlier_file_as_it_was()
        {
            var (emu, ps, dir) = Start();
            using (emu)
            using (ps)
            {
                Assert.Contains("-Path", ps.Run("Export-VcsUser -Path no-such-dir/org.csv").OnlyError.Exception.Message);
                File.WriteAllText(Path.Combine(dir, "org.csv"), "earlier\n");
                emu.Control("/_emulator/faults", "{\"method\": \"GET\", \"path\": \"/csp/gateway/am/api/v2/orgs/*/users\", \"status\": 403}");
                RunResult r = ps.Run("Export-VcsUser -Path org.csv");
                Assert.Contains("fault", r.OnlyError.Exception.Message);
                Assert.Equal("earlier\n", File.ReadAllText(Path.Combine(dir, "org.csv")));
                Assert.Equal(new[] { "org.csv" }, Directory.GetFiles(dir).Select(Path.GetFileName));
            }
        }

        [Fact]
        public void With_two_connections_export_and_sync_name_Server_and_touch_nothing()
        {
            var (emu, ps, dir) = Start();
            using (emu)
            using (ps)
            {
                ps.Ok("Export-VcsUser -Path org.csv");
                byte[] before = File.ReadAllBytes(Path.Combine(dir, "org.csv"));
                using var other = new Emulator(users: 5);
                ps.Set("url2", other.Url);
                ps.Set("token2", other.ApiToken);
                ps.Ok("$second = Connect-Vcs -Server $url2 -ApiToken $token2");
                Assert.Equal(2, ps.Ok("$DefaultVcsServers").Count);
                long requests = emu.Stats().GetProperty("total").GetInt64();
                foreach (string script in new[] { "Export-VcsUser -Path org.csv", "Sync-VcsUser -Path org.csv -Confirm:$false" })
                {
                    ErrorRecord e = ps.Run(script).OnlyError;
                    Assert.Equal(ErrorCategory.InvalidArgument, e.CategoryInfo.Category);
                    Assert.StartsWith("-Server:", e.Exception.Message);
                }
                Assert.Equal(requests, emu.Stats().GetProperty("total").GetInt64());
                Assert.Equal(0, other.Stats().GetProperty("requests").EnumerateObject().Count(r => r.Name.Contains("/users")));
                Assert.Equal(before, File.ReadAllBytes(Path.Combine(dir, "org.csv")));
                // Naming one of them works.
                Assert.Single(ps.Ok("Export-VcsUser -Path org2.csv -Server $second"));
            }
        }

        [Fact]
        public void Syncing_an_exported_file_plans_nothing_every_row_None()
        {
            var (emu, ps, _) = Start();
            using (emu)
            using (ps)
            {
                ps.Ok("Export-VcsUser -Path org.csv");
                RunResult r = ps.Run("Sync-VcsUser -Path org.csv -WhatIf");
                Assert.Empty(r.AllErrors);
                Assert.Equal(CspState.Users(emu).Count, r.Output.Count);
                Assert.All(Actions(r), a => Assert.Equal("None", a));
                Assert.Equal(Enumerable.Range(2, r.Output.Count), r.Output.Select(o => ((SyncPlanRow)o.BaseObject).Line.Value));
                Assert.Empty(ps.Run("Sync-VcsUser -Path org.csv -Confirm:$false").Output);
                Assert.Equal(0, CspState.Changes(emu));
            }
        }

        /// <summary>The exported file with one member's roles changed and one address added.</summary>
        private static (string Changed, string Invited) Edit(PsSession ps, string dir, string extraLine = null)
        {
            ps.Ok("Export-VcsUser -Path org.csv");
            string[] lines = File.ReadAllLines(Path.Combine(dir, "org.csv"));
            int i = Array.FindIndex(lines, l => l.Contains(",org_member,") && !l.Contains("org_owner"));
            string changed = lines[i].Split(',')[0];
            lines[i] = changed + ",org_member;developer," + lines[i].Split(',', 3)[2];
            var all = lines.ToList();
            all.Add("new.person@partner.example.org,org_member,");
            if (extraLine != null) all.Add(extraLine);
            File.WriteAllText(Path.Combine(dir, "org.csv"), string.Join("\n", all) + "\n");
            return (changed, "new.person@partner.example.org");
        }

        [Fact]
        public void WhatIf_writes_one_plan_row_per_line_and_changes_nothing_then_apply_does_it_row_by_row()
        {
            var (emu, ps, dir) = Start();
            using (emu)
            using (ps)
            {
                var (changed, invited) = Edit(ps, dir);
                RunResult plan = ps.Run("Sync-VcsUser -Path org.csv -WhatIf");
                Assert.Empty(plan.AllErrors);
                var rows = plan.Output.Select(o => (SyncPlanRow)o.BaseObject).ToList();
                Assert.Equal(CspState.Users(emu).Count + 1, rows.Count);
                var change = rows.Single(r => r.Action == "ChangeRoles");
                Assert.Equal(changed, change.User);
                Assert.Contains("+developer", change.Changes);
                var invite = rows.Single(r => r.Action == "Invite");
                Assert.Equal(invited, invite.User);
                Assert.Equal(CspState.Users(emu).Count + 2, invite.Line);
                Assert.Equal(0, CspState.Changes(emu));

                RunResult applied = ps.Run("Sync-VcsUser -Path org.csv -Confirm:$false");
                Assert.Empty(applied.AllErrors);
                var results = applied.Output.Select(o => (SyncResult)o.BaseObject).OrderBy(r => r.Line).ToList();
                Assert.Equal(new[] { "ChangeRoles", "Invite" }, results.Select(r => r.Action));
                Assert.Equal(new[] { "updated", "invited" }, results.Select(r => r.Outcome));
                Assert.All(results, r => Assert.True(r.Ok));
                Assert.Contains("developer", CspState.Users(emu).Single(u => u.Username == changed).OrgRoles);
                Assert.Contains(CspState.Invitations(emu), i => i.Username == invited && i.Status == "AVAILABLE");

                RunResult again = ps.Run("Sync-VcsUser -Path org.csv -WhatIf");
                Assert.All(Actions(again), a => Assert.Equal("None", a));
            }
        }

        [Fact]
        public void Bad_rows_are_errors_naming_line_and_column_and_the_plan_is_never_applied()
        {
            var (emu, ps, dir) = Start();
            using (emu)
            using (ps)
            {
                Edit(ps, dir, "bad.role@partner.example.org,no_such_role,");
                int badLine = File.ReadAllLines(Path.Combine(dir, "org.csv")).Length;
                RunResult r = ps.Run("Sync-VcsUser -Path org.csv -Confirm:$false");
                Assert.Empty(r.Output);
                ErrorRecord e = r.OnlyError;
                Assert.Contains("Line " + badLine, e.Exception.Message);
                Assert.Contains("column organizationRoles", e.Exception.Message, StringComparison.OrdinalIgnoreCase);
                Assert.Equal("bad.role@partner.example.org", e.TargetObject);
                Assert.StartsWith("Vcs.invalidArgument", e.FullyQualifiedErrorId);
                Assert.Equal(0, CspState.Changes(emu));

                RunResult plan = ps.Run("Sync-VcsUser -Path org.csv -WhatIf");
                Assert.Contains("Invalid", Actions(plan));
                Assert.Single(plan.Errors);
                Assert.Equal(0, CspState.Changes(emu));
            }
        }

        [Fact]
        public void A_file_that_is_not_a_sync_file_is_an_error_naming_Path()
        {
            var (emu, ps, dir) = Start();
            using (emu)
            using (ps)
            {
                File.WriteAllText(Path.Combine(dir, "x.csv"), "Mail,Roles\na@b.example,org_member\n");
                RunResult r = ps.Run("Sync-VcsUser -Path x.csv -WhatIf");
                Assert.Contains("-Path", r.OnlyError.Exception.Message);
                Assert.Contains("-Path", ps.Run("Sync-VcsUser -Path missing.csv -WhatIf").OnlyError.Exception.Message);
                Assert.Contains("ParameterArgumentValidationError", ps.Run("Sync-VcsUser -Path ''").OnlyError.FullyQualifiedErrorId);
                Assert.Equal(0, CspState.Changes(emu));
            }
        }

        [Fact]
        public void A_500_on_one_row_fails_that_row_alone()
        {
            var (emu, ps, dir) = Start();
            using (emu)
            using (ps)
            {
                ps.Ok("Export-VcsUser -Path org.csv");
                var plain = CspState.Users(emu).Where(u => u.OrgRoles.SequenceEqual(new[] { "org_member" })).Take(3).ToList();
                string text = File.ReadAllText(Path.Combine(dir, "org.csv"));
                foreach (var u in plain) text = text.Replace(u.Username + ",org_member,", u.Username + ",developer;org_member,");
                File.WriteAllText(Path.Combine(dir, "org.csv"), text);
                string failing = "/csp/gateway/am/api/v3/users/" + Uri.EscapeDataString(plain[1].Id) + "/orgs/*/roles";
                emu.Control("/_emulator/faults", "{\"method\": \"PATCH\", \"path\": \"" + failing + "\", \"status\": 500, \"times\": 50}");
                RunResult r = ps.Run("Sync-VcsUser -Path org.csv -Confirm:$false");
                var results = r.Output.Select(o => (SyncResult)o.BaseObject).ToList();
                Assert.Equal(3, results.Count);
                Assert.False(results.Single(x => x.User == plain[1].Username).Ok);
                Assert.All(results.Where(x => x.User != plain[1].Username), x => Assert.Equal("updated", x.Outcome));
                ErrorRecord e = r.OnlyError;
                Assert.Equal(plain[1].Username, e.TargetObject);
                Assert.Contains("Line ", e.Exception.Message);
                Assert.Contains(plain[1].Username, e.Exception.Message);
                var after = CspState.Users(emu);
                Assert.DoesNotContain("developer", after.Single(u => u.Id == plain[1].Id).OrgRoles);
                Assert.Contains("developer", after.Single(u => u.Id == plain[0].Id).OrgRoles);
                Assert.Contains("developer", after.Single(u => u.Id == plain[2].Id).OrgRoles);
            }
        }

        [Fact]
        public void Pruning_the_caller_is_refused_with_an_error_naming_AllowSelf_unless_given()
        {
            var (emu, ps, dir) = Start(users: 12, invitations: 0);
            using (emu)
            using (ps)
            {
                ps.Ok("Export-VcsUser -Path org.csv");
                string me = (string)ps.Ok("$DefaultVcsServers[0].User").Single().BaseObject;
                var lines = File.ReadAllLines(Path.Combine(dir, "org.csv")).Where(l => !l.StartsWith(me + ",")).ToArray();
                File.WriteAllText(Path.Combine(dir, "org.csv"), string.Join("\n", lines) + "\n");
                RunResult r = ps.Run("Sync-VcsUser -Path org.csv -Prune -Confirm:$false");
                Assert.Empty(r.Output);
                Assert.Contains("-AllowSelf", r.OnlyError.Exception.Message);
                Assert.DoesNotContain("--allow-self", r.OnlyError.Exception.Message);
                Assert.Equal(me, r.OnlyError.TargetObject);
                Assert.Contains(CspState.Users(emu), u => u.Username == me);
                Assert.Equal(0, CspState.Changes(emu));

                var planned = ps.Run("Sync-VcsUser -Path org.csv -Prune -AllowSelf -WhatIf").Output.Select(o => (SyncPlanRow)o.BaseObject);
                Assert.Equal("Remove", planned.Single(p => p.User == me).Action);
                RunResult forced = ps.Run("Sync-VcsUser -Path org.csv -Prune -AllowSelf -Confirm:$false");
                Assert.Empty(forced.AllErrors);
                var result = (SyncResult)forced.Output.Single().BaseObject;
                Assert.Equal(("Remove", "removed", me), (result.Action, result.Outcome, result.User));
                Assert.DoesNotContain(CspState.Users(emu), u => u.Username == me);
            }
        }

        [Fact]
        public void Stopping_an_apply_returns_at_once_and_the_rows_written_were_done()
        {
            var (emu, ps, dir) = Start(users: 300);
            using (emu)
            using (ps)
            {
                ps.Ok("Export-VcsUser -Path org.csv");
                // More rows than the library sends at once, twice over: some are still waiting when Stop comes.
                var plain = CspState.Users(emu).Where(u => u.OrgRoles.SequenceEqual(new[] { "org_member" })).Take(80).ToList();
                Assert.True(plain.Count >= 60, "too few plain members: " + plain.Count);
                string text = File.ReadAllText(Path.Combine(dir, "org.csv"));
                foreach (var u in plain) text = text.Replace(u.Username + ",org_member,", u.Username + ",developer;org_member,");
                File.WriteAllText(Path.Combine(dir, "org.csv"), text);
                emu.Control("/_emulator/faults", "{\"method\": \"PATCH\", \"path\": \"/csp/gateway/am/api/v3/users/*/orgs/*/roles\", \"latencyMs\": 400}");
                using PowerShell shell = PowerShell.Create(ps.Runspace);
                shell.AddScript("Sync-VcsUser -Path org.csv -Confirm:$false");
                var output = new PSDataCollection<PSObject>();
                shell.BeginInvoke<PSObject, PSObject>(null, output);
                var deadline = DateTime.UtcNow.AddSeconds(20);
                // Stopped once a row is done at the service and its answer had time to come back,
                // so the report holds rows done as well as rows not started.
                var plainNames = plain.Select(u => u.Username).ToHashSet();
                Func<int> applied = () => CspState.Users(emu).Count(u => plainNames.Contains(u.Username) && u.OrgRoles.Contains("developer"));
                while (applied() < 1 && DateTime.UtcNow < deadline) Thread.Sleep(20);
                Assert.True(applied() >= 1, "no row was applied in time");
                Thread.Sleep(150);
                var watch = Stopwatch.StartNew();
                shell.Stop();
                watch.Stop();
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(0.3), "Stop took " + watch.Elapsed);
                Thread.Sleep(600);
                // Each row's outcome is kept in $VcsStoppedReport: what it says was done is done, the rest is not.
                var developers = CspState.Users(emu).Where(u => u.OrgRoles.Contains("developer")).Select(u => u.Username).ToHashSet();
                var report = ps.Ok("$VcsStoppedReport").Select(o => (VcsBulkItem)o.BaseObject).ToList();
                Assert.Equal(plain.Count, report.Count);
                Assert.Empty(output);
                Assert.All(report.Where(i => i.Outcome == "updated"), i => Assert.Contains(i.Input, developers));
                Assert.All(report.Where(i => i.Outcome == "notStarted"), i => Assert.DoesNotContain(i.Input, developers));
                Assert.Contains(report, i => i.Outcome == "notStarted");
                Assert.Contains(report, i => i.Outcome == "updated");
                Assert.True(CspState.Requests(emu, "PATCH", "/roles") < plain.Count, "every row was sent");
            }
        }
    }
}
