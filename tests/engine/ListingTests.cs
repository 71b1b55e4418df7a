using System;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using Xunit;

namespace VcsNative.Engine.Tests
{
    /// <summary>Listings read through the library's cursors: stopping, progress, several servers, races.</summary>
    [Collection("Timed")]
    public class ListingTests
    {
        private const string CspUsers = "/csp/gateway/am/api/v2/orgs/*/users";
        private const string VcdUsers = "/cloudapi/1.0.0/users";

        /// <summary>Starts a script on the session's runspace, waits until it has written an object or <paramref name="wait"/> passed.</summary>
        private static (PowerShell Ps, PSDataCollection<PSObject> Output, IAsyncResult Run) Start(PsSession session, string script)
        {
            PowerShell ps = PowerShell.Create(session.Runspace);
            ps.AddScript(script);
            var output = new PSDataCollection<PSObject>();
            IAsyncResult run = ps.BeginInvoke<PSObject, PSObject>(null, output);
            return (ps, output, run);
        }

        [Theory]
        [InlineData("Get-VcsUser", CspUsers)]
        [InlineData("Get-VcdUser", VcdUsers)]
        public void Stop_during_a_slow_listing_returns_at_once(string command, string path)
        {
            using var emu = new Emulator(users: 5000, vcdUsers: 2000);
            using var session = new PsSession(emu);
            if (command == "Get-VcdUser") session.ConnectVcd(emu); else session.Connect();
            emu.Control("/_emulator/faults", "{\"method\": \"GET\", \"path\": \"" + path + "\", \"latencyMs\": 300}");
            var (ps, output, run) = Start(session, command);
            using (ps)
            {
                var wait = Stopwatch.StartNew();
                while (output.Count == 0 && wait.Elapsed < TimeSpan.FromSeconds(10)) Thread.Sleep(10);
                Assert.NotEmpty(output);
                Thread.Sleep(100);
                var clock = Stopwatch.StartNew();
                ps.Stop();
                clock.Stop();
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(0.3), "Stop() took " + clock.Elapsed.TotalMilliseconds + " ms");
                Assert.True(run.IsCompleted);
                Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
                Assert.True(output.Count < (command == "Get-VcdUser" ? 2000 : 5000), "the listing was read to its end before the stop");
            }
            // The session still lists afterwards.
            emu.Control("/_emulator/reset");
            Assert.Equal(3, session.Ok(command + " | Select-Object -First 3").Count);
        }

        [Fact]
        public void Progress_shows_read_of_total_and_completes_and_none_when_silenced()
        {
            using var emu = new Emulator(users: 1000);
            using var session = new PsSession(emu);
            session.Connect();
            using (PowerShell ps = PowerShell.Create(session.Runspace))
            {
                ps.AddScript("$ProgressPreference = 'Continue'; (Get-VcsUser).Count");
                Assert.Equal(1000, (int)ps.Invoke().Single().BaseObject);
                var records = ps.Streams.Progress.ToList();
                Assert.True(records.Count >= 2, "one record per page, then the completed one: " + records.Count);
                var processing = records.Where(r => r.RecordType == ProgressRecordType.Processing).ToList();
                Assert.NotEmpty(processing);
                Assert.All(processing, r => Assert.Matches(@"^read \d+ of 1000$", r.StatusDescription));
                int[] counts = processing.Select(r => int.Parse(r.StatusDescription.Split(' ')[1])).ToArray();
                Assert.Equal(counts.OrderBy(c => c), counts);
                Assert.Equal(1000, counts.Last());
                Assert.Equal(ProgressRecordType.Completed, records.Last().RecordType);
                Assert.Single(records.Select(r => r.ActivityId).Distinct());
            }
            using (PowerShell ps = PowerShell.Create(session.Runspace))
            {
                ps.AddScript("$ProgressPreference = 'SilentlyContinue'; (Get-VcsUser).Count; (Get-VcsUserInvitation).Count");
                Assert.Equal(2, ps.Invoke().Count);
                Assert.Empty(ps.Streams.Progress);
            }
            using (PowerShell ps = PowerShell.Create(session.Runspace))
            {
                ps.AddScript("$ProgressPreference = 'Continue'; $null = Get-VcsUserInvitation");
                ps.Invoke();
                Assert.Equal(ProgressRecordType.Completed, ps.Streams.Progress.Last().RecordType);
            }
        }

        [Fact]
        public void Vcd_listing_shows_progress_too()
        {
            using var emu = new Emulator(vcdUsers: 300);
            using var session = new PsSession(emu);
            session.ConnectVcd(emu);
            using PowerShell ps = PowerShell.Create(session.Runspace);
            ps.AddScript("$ProgressPreference = 'Continue'; $null = Get-VcdUser");
            ps.Invoke();
            var records = ps.Streams.Progress.ToList();
            int total = emu.TenantUsers().Count;
            Assert.Contains(records, r => r.StatusDescription == "read " + total + " of " + total);
            Assert.Equal(ProgressRecordType.Completed, records.Last().RecordType);
        }

        [Fact]
        public void A_failing_server_is_one_error_and_the_healthy_servers_users_are_still_returned()
        {
            using var healthy = new Emulator(users: 30);
            using var failing = new Emulator(users: 20);
            using var session = new PsSession(healthy);
            session.Set("url2", failing.Url);
            session.Set("token2", failing.ApiToken);
            session.Ok("$s1 = Connect-Vcs -Server $url -ApiToken $token; $s2 = Connect-Vcs -Server $url2 -ApiToken $token2");
            failing.Control("/_emulator/faults", "{\"method\": \"GET\", \"path\": \"" + CspUsers + "\", \"status\": 403}");
            // The failing server first: the healthy one after it still answers.
            RunResult r = session.Run("Get-VcsUser -Server $s2, $s1");
            Assert.Null(r.Terminating);
            Assert.Equal(30, r.Output.Count);
            ErrorRecord e = r.OnlyError;
            Assert.Equal(ErrorCategory.PermissionDenied, e.CategoryInfo.Category);
            Assert.StartsWith("Vcs.permission", e.FullyQualifiedErrorId);
            Assert.Same(session.Get("s2") is PSObject p ? p.BaseObject : session.Get("s2"), e.TargetObject);

            failing.Control("/_emulator/faults", "{\"method\": \"GET\", \"path\": \"/csp/gateway/am/api/orgs/*/invitations\", \"status\": 403}");
            r = session.Run("Get-VcsUserInvitation -Server $s2, $s1");
            Assert.Equal(6, r.Output.Count);
            Assert.Equal(ErrorCategory.PermissionDenied, r.OnlyError.CategoryInfo.Category);
        }

        [Theory]
        [InlineData("Get-VcsOrganizationRole", "GET", "/csp/gateway/am/api/orgs/*/roles")]
        [InlineData("Get-VcsService", "GET", "/csp/gateway/slc/api/definitions")]
        public void A_failing_server_is_one_error_for_the_role_and_service_getters_too(string command, string method, string path)
        {
            using var healthy = new Emulator(users: 5);
            using var failing = new Emulator(users: 5);
            using var session = new PsSession(healthy);
            session.Set("url2", failing.Url);
            session.Set("token2", failing.ApiToken);
            session.Ok("$s1 = Connect-Vcs -Server $url -ApiToken $token; $s2 = Connect-Vcs -Server $url2 -ApiToken $token2");
            int alone = session.Ok(command + " -Server $s1").Count;
            Assert.True(alone > 0);
            failing.Control("/_emulator/faults", "{\"method\": \"" + method + "\", \"path\": \"" + path + "\", \"status\": 403}");
            RunResult r = session.Run(command + " -Server $s2, $s1");
            Assert.Null(r.Terminating);
            Assert.Equal(alone, r.Output.Count);
            ErrorRecord e = r.OnlyError;
            Assert.Equal(ErrorCategory.PermissionDenied, e.CategoryInfo.Category);
            Assert.Same(session.Get("s2") is PSObject p ? p.BaseObject : session.Get("s2"), e.TargetObject);
        }

        [Fact]
        public void A_failing_Cloud_Director_session_is_one_error_and_the_other_sessions_roles_are_still_returned()
        {
            using var healthy = new Emulator(users: 5);
            using var failing = new Emulator(users: 5);
            using var session = new PsSession(healthy);
            session.Ok("$d1 = Connect-Vcd -Server '" + healthy.VcdUrl + "' -Org '" + healthy.VcdOrg + "' -User '" + healthy.VcdUser + "' -Password '" + healthy.VcdPassword + "'");
            session.Ok("$d2 = Connect-Vcd -Server '" + failing.VcdUrl + "' -Org '" + failing.VcdOrg + "' -User '" + failing.VcdUser + "' -Password '" + failing.VcdPassword + "'");
            int alone = session.Ok("Get-VcdRole -Server $d1").Count;
            Assert.True(alone > 0);
            failing.Control("/_emulator/faults", "{\"method\": \"GET\", \"path\": \"/cloudapi/1.0.0/roles\", \"status\": 403}");
            foreach (string command in new[] { "Get-VcdRole", "Get-CIRole" })
            {
                RunResult r = session.Run(command + " -Server $d2, $d1");
                Assert.Null(r.Terminating);
                Assert.Equal(alone, r.Output.Count);
                Assert.Equal(ErrorCategory.PermissionDenied, r.OnlyError.CategoryInfo.Category);
            }
        }

        [Fact]
        public void Stop_and_Dispose_racing_the_reading_never_crash_the_process()
        {
            using var emu = new Emulator(users: 3000);
            using var session = new PsSession(emu);
            session.Connect();
            var random = new Random(29);
            for (int i = 0; i < 60; i++)
            {
                var (ps, output, run) = Start(session, "Get-VcsUser | ForEach-Object { $_.Username.Length } | Measure-Object");
                Thread.Sleep(random.Next(0, 40));
                if (i % 2 == 0) ps.Stop();
                else ps.Dispose();
                if (i % 2 == 0)
                {
                    Assert.True(run.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(5)), "iteration " + i + " did not end");
                    ps.Dispose();
                }
            }
            // Stops from a thread of our own, as Ctrl+C comes, while pages are read.
            for (int i = 0; i < 20; i++)
            {
                var (ps, output, run) = Start(session, "Get-VcsUser");
                var stopper = new Thread(() => { Thread.Sleep(random.Next(0, 30)); ps.BeginStop(null, null); });
                stopper.Start();
                Assert.True(run.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(5)), "iteration " + i + " did not end");
                stopper.Join();
                ps.Dispose();
            }
            Assert.Equal(3000, (int)session.Ok("(Get-VcsUser).Count").Single().BaseObject);
        }

        [Fact]
        public void Role_completion_never_blocks_over_a_second_and_is_cached_per_connection()
        {
            using var emu = new Emulator();
            using var session = new PsSession(emu);
            session.Connect();
            emu.Control("/_emulator/faults", "{\"method\": \"GET\", \"path\": \"/csp/gateway/am/api/orgs/*/roles\", \"latencyMs\": 5000}");
            // TabExpansion2's own first run is slow (the engine compiles its completion code): not what is timed.
            session.Ok("$null = TabExpansion2 -inputScript 'Get-VcsUser -Server 1' -cursorColumn 21");
            session.Set("line", "New-VcsUserInvitation -OrganizationRole org_");
            const string complete = "(TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object ListItemText";
            var clock = Stopwatch.StartNew();
            var first = session.Ok(complete);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1.5), "the first press took " + clock.Elapsed.TotalMilliseconds + " ms");
            Assert.Empty(first);
            // A second press while the fetch still runs: bounded too, and no second fetch.
            clock.Restart();
            Assert.Empty(session.Ok(complete));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1.5), "the second press took " + clock.Elapsed.TotalMilliseconds + " ms");
            // The fetch completes into the cache in the background.
            Thread.Sleep(5000);
            int requests = CspState.Requests(emu, "GET", "/roles");
            clock.Restart();
            var got = session.Ok(complete).Select(o => o.ToString()).ToArray();
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(0.5), "the cached press took " + clock.Elapsed.TotalMilliseconds + " ms");
            Assert.Equal(new[] { "org_member", "org_owner" }, got);
            Assert.Equal(1, requests);
            Assert.Equal(requests, CspState.Requests(emu, "GET", "/roles"));
        }

        [Fact]
        public void Vcd_role_completion_is_cached_for_the_connection()
        {
            using var emu = new Emulator();
            using var session = new PsSession(emu);
            session.ConnectVcd(emu);
            session.Set("line", "New-VcdUser -Name x -Role vApp");
            const string complete = "(TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object CompletionText";
            Assert.Equal(new[] { "'vApp Author'", "'vApp User'" }, session.Ok(complete).Select(o => o.ToString()));
            int requests = emu.Requests("GET /cloudapi/1.0.0/roles");
            Assert.Equal(new[] { "'vApp Author'", "'vApp User'" }, session.Ok(complete).Select(o => o.ToString()));
            Assert.Equal(requests, emu.Requests("GET /cloudapi/1.0.0/roles"));
        }
    }
}
