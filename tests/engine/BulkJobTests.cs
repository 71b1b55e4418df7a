using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using Xunit;

namespace VcsNative.Engine.Tests
{
    /// <summary>Bulk cmdlets under the library's jobs: Stop, progress, unknown outcomes.</summary>
    [Collection("Timed")]
    public class BulkJobTests
    {
        private readonly Xunit.Abstractions.ITestOutputHelper output;

        public BulkJobTests(Xunit.Abstractions.ITestOutputHelper output) => this.output = output;

        private const string RemoveUsersPath = "/csp/gateway/am/api/v2/orgs/*/users";

        [Fact]
        public void Stop_during_a_removal_returns_at_once_and_its_report_matches_the_service()
        {
            using var emu = new Emulator(users: 1000);
            using var ps = new PsSession(emu);
            ps.Connect();
            ps.Ok("$victims = @(Get-VcsUser | Where-Object { -not $_.IsOrganizationOwner })");
            int victims = (int)ps.Ok("$victims.Count").Single().BaseObject;
            Assert.True(victims > 800, "victims: " + victims);
            int before = CspState.Users(emu).Count;
            emu.Control("/_emulator/faults", "{\"method\": \"DELETE\", \"path\": \"" + RemoveUsersPath + "\", \"latencyMs\": 400}");

            using var pipe = PowerShell.Create(ps.Runspace);
            pipe.AddScript("$victims | Remove-VcsUser -Force");
            IAsyncResult running = pipe.BeginInvoke();
            var waited = Stopwatch.StartNew();
            while (CspState.Users(emu).Count == before && waited.ElapsedMilliseconds < 20000) Thread.Sleep(50);
            Assert.True(CspState.Users(emu).Count < before, "no user was removed within 20 s");
            // The answer of that first removal has time to come back: the report then holds users removed.
            Thread.Sleep(150);

            var stop = Stopwatch.StartNew();
            pipe.Stop();
            stop.Stop();
            output.WriteLine("Stop returned in " + stop.ElapsedMilliseconds + " ms");
            Assert.True(stop.ElapsedMilliseconds < 300, "Stop took " + stop.ElapsedMilliseconds + " ms");
            Assert.True(running.IsCompleted);
            Assert.Equal(PSInvocationState.Stopped, pipe.InvocationStateInfo.State);

            // Let requests abandoned in flight land before the service's state is read.
            Thread.Sleep(600);
            var remaining = CspState.Users(emu).Select(u => u.Id).ToHashSet();
            var report = ps.Ok("$VcsStoppedReport").Select(o => (VcsBulkItem)o.BaseObject).ToList();
            Assert.Equal(victims, report.Count);
            Assert.All(report, i => Assert.Equal("Remove-VcsUser", i.Command));
            var removed = report.Where(i => i.Outcome == "removed").ToList();
            var notStarted = report.Where(i => i.Outcome == "notStarted").ToList();
            var unknown = report.Where(i => i.Outcome == "unknown").ToList();
            Assert.NotEmpty(removed);
            Assert.NotEmpty(notStarted);
            Assert.Equal(victims, removed.Count + notStarted.Count + unknown.Count);
            Assert.All(removed, i => Assert.DoesNotContain(i.Target.Id, remaining));
            Assert.All(notStarted, i => Assert.Contains(i.Target.Id, remaining));
            Assert.All(unknown, i => Assert.False(string.IsNullOrEmpty(i.Target?.Email), "an unknown item names its user"));

            // $Error holds one error per item not done (newest first, within $MaximumErrorCount).
            var errors = ps.Ok("$Error | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] -and $_.FullyQualifiedErrorId -like 'Vcs.*' }")
                .Select(o => (ErrorRecord)o.BaseObject).ToList();
            Assert.Equal(Math.Min(256, notStarted.Count + unknown.Count), errors.Count);
            Assert.All(errors, e => Assert.Equal(ErrorCategory.OperationStopped, e.CategoryInfo.Category));
            ErrorRecord oneNotStarted = errors.First(e => e.FullyQualifiedErrorId == "Vcs.notStarted");
            var target = Assert.IsType<VcsBulkTarget>(oneNotStarted.TargetObject);
            Assert.Contains(target.Id, remaining);
            Assert.Contains(target.Email, oneNotStarted.Exception.Message);
        }

        [Fact]
        public void Stop_during_invitations_keeps_the_invitations_made_and_names_those_not_sent()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            // 40 batches of 100, 8 at a time, 300 ms each: a stop once the first invitations exist always leaves some not sent.
            var emails = Enumerable.Range(0, 4000).Select(i => "stop" + i + "@partner.example").ToArray();
            ps.Set("emails", emails);
            int before = CspState.Invitations(emu).Count;
            emu.Control("/_emulator/faults", "{\"method\": \"POST\", \"path\": \"/csp/gateway/am/api/orgs/*/invitations\", \"latencyMs\": 300}");

            using var pipe = PowerShell.Create(ps.Runspace);
            pipe.AddScript("New-VcsUserInvitation -Email $emails -OrganizationRole org_member -Confirm:$false");
            IAsyncResult running = pipe.BeginInvoke();
            var waited = Stopwatch.StartNew();
            while (CspState.Invitations(emu).Count == before && waited.ElapsedMilliseconds < 20000) Thread.Sleep(50);
            var stop = Stopwatch.StartNew();
            pipe.Stop();
            stop.Stop();
            output.WriteLine("Stop returned in " + stop.ElapsedMilliseconds + " ms");
            Assert.True(stop.ElapsedMilliseconds < 300, "Stop took " + stop.ElapsedMilliseconds + " ms");
            Assert.True(running.IsCompleted);

            Thread.Sleep(500);
            var pending = CspState.Invitations(emu).Select(i => i.Username).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var report = ps.Ok("$VcsStoppedReport").Select(o => (VcsBulkItem)o.BaseObject).ToList();
            Assert.Equal(emails.Length, report.Count);
            output.WriteLine(string.Join(", ", report.GroupBy(i => i.Outcome).Select(g => g.Key + ": " + g.Count())));
            var invited = report.Where(i => i.Outcome == "invited").ToList();
            var notStarted = report.Where(i => i.Outcome == "notStarted").ToList();
            Assert.NotEmpty(notStarted);
            Assert.All(invited, i => Assert.Contains(i.Input, pending));
            Assert.All(invited, i => Assert.NotNull(i.Result));
            Assert.All(notStarted, i => Assert.DoesNotContain(i.Input, pending));
            Assert.All(report.Where(i => !i.Ok), i => Assert.Contains(i.Outcome, new[] { "notStarted", "unknown" }));
        }

        [Fact]
        public void Stop_during_New_VcdUser_on_a_derived_session_keeps_the_users_made_and_names_those_not_sent()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            var session = ps.ConnectVcd(emu);
            ps.Ok("$rows = 0..299 | ForEach-Object { [pscustomobject]@{ Username = \"stop.$_\"; Password = 'Stop-Pass-1'; Role = 'vApp User' } }");
            int before = emu.TenantUsers().Count;
            emu.Control("/_emulator/faults", "{\"method\": \"POST\", \"path\": \"/cloudapi/1.0.0/users\", \"latencyMs\": 300}");

            using var pipe = PowerShell.Create(ps.Runspace);
            pipe.AddScript("$rows | New-VcdUser -Confirm:$false");
            IAsyncResult running = pipe.BeginInvoke();
            var waited = Stopwatch.StartNew();
            while (emu.TenantUsers().Count == before && waited.ElapsedMilliseconds < 20000) Thread.Sleep(50);
            var stop = Stopwatch.StartNew();
            pipe.Stop();
            stop.Stop();
            output.WriteLine("Stop returned in " + stop.ElapsedMilliseconds + " ms");
            Assert.True(stop.ElapsedMilliseconds < 300, "Stop took " + stop.ElapsedMilliseconds + " ms");
            Assert.True(running.IsCompleted);

            Thread.Sleep(500);
            var names = emu.TenantUsernames().ToHashSet();
            var report = ps.Ok("$VcsStoppedReport").Select(o => (VcsBulkItem)o.BaseObject).ToList();
            output.WriteLine(string.Join(", ", report.GroupBy(i => i.Outcome).Select(g => g.Key + ": " + g.Count())));
            Assert.Equal(300, report.Count);
            var created = report.Where(i => i.Outcome == "created").ToList();
            var notStarted = report.Where(i => i.Outcome == "notStarted").ToList();
            Assert.NotEmpty(created);
            Assert.NotEmpty(notStarted);
            Assert.All(created, i => Assert.Contains(i.Input, names));
            Assert.All(created, i => Assert.Same(session.BaseObject, Assert.IsType<VcdUser>(i.Result).Server));
            Assert.All(notStarted, i => Assert.DoesNotContain(i.Input, names));
            // The shared session was not logged out by freeing the derived one.
            ps.Ok("Get-VcdUser -Name 'stop.*' | Select-Object -First 1");
        }

        [Fact]
        public void A_removal_shows_done_of_total_and_completes_unless_progress_is_silenced()
        {
            using var emu = new Emulator(users: 200);
            using var ps = new PsSession(emu);
            ps.Connect();
            ps.Ok("$victims = @(Get-VcsUser | Where-Object { -not $_.IsOrganizationOwner } | Select-Object -First 100)");
            emu.Control("/_emulator/faults", "{\"method\": \"DELETE\", \"path\": \"" + RemoveUsersPath + "\", \"latencyMs\": 250}");

            using (var pipe = PowerShell.Create(ps.Runspace))
            {
                pipe.AddScript("$victims | Remove-VcsUser -Force");
                pipe.Invoke();
                Assert.Empty(pipe.Streams.Error);
                var records = pipe.Streams.Progress.ToList();
                var running = records.Where(p => p.RecordType == ProgressRecordType.Processing && p.StatusDescription.EndsWith(" of 100")).ToList();
                Assert.NotEmpty(running);
                Assert.All(running, p => Assert.InRange(p.PercentComplete, 0, 100));
                Assert.Equal(ProgressRecordType.Completed, records.Last().RecordType);
                Assert.Equal(running[0].ActivityId, records.Last().ActivityId);
            }
            Assert.Equal(200 - 100, CspState.Users(emu).Count);

            ps.Ok("$victims = @(Get-VcsUser | Where-Object { -not $_.IsOrganizationOwner } | Select-Object -First 50)");
            using (var pipe = PowerShell.Create(ps.Runspace))
            {
                pipe.AddScript("$ProgressPreference = 'SilentlyContinue'; $victims | Remove-VcsUser -Force");
                pipe.Invoke();
                Assert.Empty(pipe.Streams.Error);
                Assert.Empty(pipe.Streams.Progress);
            }
            Assert.Equal(200 - 150, CspState.Users(emu).Count);
        }

        [Fact]
        public void An_answer_that_does_not_say_what_happened_is_an_unknown_outcome_naming_each_user()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            var victims = CspState.Users(emu).Where(u => !u.OrgRoles.Contains("org_owner")).Take(3).ToList();
            // The request reaches the service, whose answer names none of the users sent: the library cannot tell.
            emu.Control("/_emulator/faults", "{\"method\": \"DELETE\", \"path\": \"" + RemoveUsersPath + "\", \"body\": \"{\\\"succeeded\\\": [], \\\"failed\\\": [], \\\"failures\\\": []}\"}");
            ps.Set("names", victims.Select(v => v.Username).ToArray());
            RunResult r = ps.Run("Remove-VcsUser -User $names -Force");
            Assert.Null(r.Terminating);
            Assert.Equal(3, r.Errors.Count);
            foreach (ErrorRecord e in r.Errors)
            {
                Assert.True(e.FullyQualifiedErrorId.StartsWith("Vcs.unknown,"), e.FullyQualifiedErrorId + ": " + e.Exception.Message);
                Assert.Contains("outcome is unknown", e.Exception.Message);
                Assert.DoesNotContain("without a reason", e.Exception.Message);
                Assert.NotEqual(ErrorCategory.OperationStopped, e.CategoryInfo.Category);
            }
            Assert.Equal(victims.Select(v => v.Username).OrderBy(n => n), r.Errors.Select(e => Assert.IsType<VcsBulkTarget>(e.TargetObject).Username).OrderBy(n => n));
        }

        [Fact]
        public void Remove_VcsUser_refuses_your_own_membership_unless_AllowSelf()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            var owners = CspState.Users(emu).Where(u => u.OrgRoles.Contains("org_owner")).ToList();
            Assert.True(owners.Count > 1, "the test needs another owner than the caller");
            const string self = "ada.andersen@example.com";

            RunResult refused = ps.Run("Remove-VcsUser '" + self + "' -Force");
            ErrorRecord e = refused.OnlyError;
            Assert.Contains("-AllowSelf", e.Exception.Message);
            Assert.DoesNotContain("--allow-self", e.Exception.Message);
            Assert.Equal(self, Assert.IsType<VcsBulkTarget>(e.TargetObject).Username);
            Assert.Contains(CspState.Users(emu), u => u.Username == self);

            ps.Ok("Remove-VcsUser '" + self + "' -Force -AllowSelf");
            Assert.DoesNotContain(CspState.Users(emu), u => u.Username == self);
        }
    }
}
