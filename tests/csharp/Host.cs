// The C# host scenario: the same steps as tests/c/scenario.c, through powershell/VcsNative.cs.
// Usage: mono host.exe URL API_TOKEN VCD_ORG VCD_USER VCD_PASSWORD
//        (libvcs_native beside host.exe; no LD_LIBRARY_PATH)
using System;
using System.Diagnostics;
using System.Net;
using System.Threading;
using System.Text.RegularExpressions;
using VcsNative;

public static class Host
{
    static int passed, failed;

    static void Check(bool ok, string what)
    {
        if (ok) passed++; else { failed++; Console.Error.WriteLine("FAILED: " + what); }
    }

    static string Id(string json, string after)
    {
        int at = after == null ? 0 : json.IndexOf(after, StringComparison.Ordinal);
        if (at < 0) return null;
        Match m = new Regex("\"id\":\"([^\"]+)\"").Match(json, at);
        return m.Success ? m.Groups[1].Value : null;
    }

    // Usage: the arguments checked before any is read; wrong ones exit 2 with the usage line.
    const string Usage = "usage: mono host.exe URL API_TOKEN VCD_ORG VCD_USER VCD_PASSWORD";
    // Connect rules and saved API tokens, through VcsNative.cs's SavedTokenNativeMethods block.
    static void ConnectRulesAndSavedTokens(string url, string token)
    {
        VcsConnectionHandle conn;
        VcsResult r = Vcs.Connect("{\"server\": \"   \", \"apiToken\": \"" + token + "\"}", out conn);
        Check(r.Status == VcsStatus.InvalidArgument && r.Json.Contains("\"field\":\"server\"") && conn == null, "a blank server is refused");
        string port = url.Substring(url.LastIndexOf(':') + 1);
        r = Vcs.Connect("{\"server\": \"http://vcs.test.invalid:" + port + "\", \"apiToken\": \"" + token + "\", \"resolve\": [\"vcs.test.invalid:" + port + ":127.0.0.1\"]}", out conn);
        Check(r.Status == VcsStatus.InvalidArgument && r.Json.Contains("allowInsecureHttp") && conn == null, "no secret over plain http to a non-loopback name");

        string file = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "vcs-host-" + Guid.NewGuid().ToString("N"), "credentials.json").Replace("\\", "\\\\");
        r = VcsSavedTokenStore.Save("{\"server\": \"" + url + "\", \"apiToken\": \"" + token + "\", \"file\": \"" + file + "\"}");
        Check(r.IsOk && !r.Json.Contains(token), "save a token");
        r = VcsSavedTokenStore.List("{\"file\": \"" + file + "\"}");
        Check(r.IsOk && r.Json.Contains(url) && !r.Json.Contains(token), "list saved tokens (previews only)");
        r = VcsSavedTokenStore.Load("{\"server\": \"" + url + "\", \"file\": \"" + file + "\"}");
        Check(r.IsOk && r.Json.Contains(token), "load a saved token");
        r = VcsSavedTokenStore.Forget("{\"server\": \"" + url + "\", \"file\": \"" + file + "\"}");
        Check(r.IsOk, "forget a saved token");
        r = VcsSavedTokenStore.Load("{\"server\": \"" + url + "\", \"file\": \"" + file + "\"}");
        Check(r.Status == VcsStatus.NotFound, "a forgotten token is gone");
        try { System.IO.Directory.Delete(System.IO.Path.GetDirectoryName(file), true); } catch (Exception) { }
    }

    static void RoleAndSyncChecks(VcsConnectionHandle conn)
    {
        VcsResult r = VcsSync.SetUserRoles(conn, "{\"users\": [\"ada.andersen@example.com\", \"nobody@example.com\"], \"addOrganizationRoles\": [\"support_user\"]}");
        Check(r.Status == VcsStatus.PartialFailure && r.Json.Contains("\"outcome\":\"updated\"") && r.Json.Contains("\"target\""), "set roles: one item per user");
        r = VcsSync.SetUserRoles(conn, "{\"users\": [\"ada.andersen@example.com\"], \"addOrganizationRoles\": [\"support_user\"]}");
        Check(r.IsOk && r.Json.Contains("\"outcome\":\"unchanged\""), "a held role is unchanged");

        string file = "{\"csv\": \"Email,OrganizationRoles\\nada.andersen@example.com,org_owner;support_user\\ncs.sync@host.example,org_member\\n\"}";
        r = VcsSync.PlanSync(conn, file);
        Check(r.IsOk && r.Json.Contains("\"action\":\"invite\""), "plan a sync");
        r = VcsSync.ApplyPlan(conn, "{\"plan\": " + r.Json + "}");
        Check(r.IsOk && r.Json.Contains("\"outcome\":\"invited\""), "apply the plan");
        r = VcsSync.PlanSync(conn, file);
        Check(r.IsOk && r.Json.Contains("\"rows\":[]"), "a second plan is empty");
        r = VcsSync.PlanSync(conn, "{\"csv\": \"Email,OrganizationRoles\\ncs.sync@host.example,org_king\\n\"}");
        Check(r.Status == VcsStatus.PartialFailure && r.Json.Contains("\"field\":\"organizationRoles\""), "an invalid row names its field");
        r = VcsSync.ApplyPlan(conn, "{\"plan\": " + r.Json + "}");
        Check(r.Status == VcsStatus.InvalidArgument, "a plan with invalid rows is not applied");
    }

    static void VcdSyncChecks(VcdConnectionHandle vcd)
    {
        string file = "\"Username,Password,Role\\ncs.sync,cs-sync-pass,vApp User\\n\"";
        VcsResult r = VcsSync.PlanVcdSync(vcd, "{\"csv\": " + file + "}");
        Check(r.IsOk && r.Json.Contains("\"action\":\"create\"") && !r.Json.Contains("cs-sync-pass"), "plan a Cloud Director sync");
        r = VcsSync.ApplyVcdPlan(vcd, "{\"plan\": " + r.Json + ", \"csv\": " + file + "}");
        Check(r.IsOk && r.Json.Contains("\"outcome\":\"created\""), "apply the Cloud Director plan");
        r = VcsSync.PlanVcdSync(vcd, "{\"csv\": " + file + "}");
        Check(r.IsOk && r.Json.Contains("\"changes\":0"), "a second Cloud Director plan is empty");
    }

    public static int Main(string[] args)
    {
        if (args.Length != 5)
        {
            Console.Error.WriteLine(Usage);
            Console.Error.WriteLine("  expected 5 arguments, got " + args.Length);
            return 2;
        }
        string url = args[0], token = args[1];
        Check(Vcs.Version.Length > 0, "version");

        VcsConnectionHandle conn;
        VcsResult r = Vcs.Connect("{\"server\": ", out conn);
        Check(r.Status == VcsStatus.InvalidArgument && r.Json.Contains("options_json") && conn == null, "malformed JSON is refused");
        r = Vcs.Connect(null, out conn);
        Check(r.Status == VcsStatus.InvalidArgument, "null options are refused");
        r = Vcs.Connect("{\"server\": \"" + url + "\", \"apiToken\": \"wrong-token\", \"maxAttempts\": 1}", out conn);
        Check(r.Status == VcsStatus.Authentication && !r.Json.Contains("wrong-token"), "a bad token is an authentication error");

        r = Vcs.Connect("{\"server\": \"" + url + "\", \"apiToken\": \"" + token + "\"}", out conn);
        Check(r.IsOk && conn != null && r.Json.Contains("Acme Cloud Operations"), "connect");
        if (conn == null) { Console.Error.WriteLine(r.Json); return 1; }

        Check(Vcs.ConnectionInfo(conn).Json.Contains("\"authType\":\"ApiToken\""), "connection info");
        Check(Vcs.GetOrganizationRoles(conn, null).Json.Contains("org_owner"), "organization roles");
        Check(Vcs.GetServices(conn, "{\"name\": \"*AWS\"}").Json.Contains("ybUdoTC05kYFC9ZG560kpsn0I8M_"), "services");
        Check(Vcs.GetServiceRoles(conn, "{\"service\": \"VMware Cloud on AWS\"}").Json.Contains("vmc-user:full"), "service roles");

        r = Vcs.NewUserInvitations(conn, "{\"emails\": [\"cs.one@host.example\", \"cs.two@host.example\", \"bad address\"], \"organizationRoles\": [\"org_member\"]}");
        Check(r.Status == VcsStatus.PartialFailure && r.IsReport && r.Json.Contains("\"failed\":1"), "bulk invitation report");
        string invitation = Id(r.Json, "\"outcome\":\"invited\"");
        Check(invitation != null, "invitation id");

        var web = new WebClient();
        web.UploadString(url + "/_emulator/invitations/" + invitation + "/accept", "POST", "");

        r = Vcs.GetUsers(conn, "{\"email\": \"cs.one@host.example\"}");
        Check(r.IsOk && r.Json.Contains("\"name\":\"Cs One\""), "the invited person is a user");
        string user = Id(r.Json, null);

        r = Vcs.RemoveUsers(conn, "{\"users\": [\"" + user + "\"]}");
        Check(r.IsOk && r.Json.Contains("\"removed\""), "remove the user");

        r = Vcs.GetUserInvitations(conn, "{\"name\": \"cs.*\", \"status\": \"Available\"}");
        string pending = Id(r.Json, null);
        Check(r.IsOk && pending != null && r.Json.Contains("cs.two@host.example"), "pending invitations");
        r = Vcs.RemoveUserInvitations(conn, "{\"invitations\": [\"" + pending + "\", \"no-such-id\"]}");
        Check(r.Status == VcsStatus.PartialFailure && r.Json.Contains("\"revoked\"") && r.Json.Contains("notFound"), "revoke: one revoked, one unknown");

        r = Vcs.GetUsers(conn, "{\"name\": [1]}");
        Check(r.Status == VcsStatus.InvalidArgument && r.Json.Contains("name"), "a wrong type names the field");
        r = Vcs.NewOAuthSecurityContext("{\"server\": \"" + url + "\", \"apiToken\": \"" + token + "\"}");
        Check(r.IsOk && r.Json.Contains("\"type\":\"ApiToken\"") && !r.Json.Contains(token), "OAuth security context without the secret");

        RoleAndSyncChecks(conn);
        conn.Dispose();
        Check(conn.IsClosed, "the handle is released");
        conn.Dispose();
        Check(true, "a second Dispose is harmless");

        // Cloud Director: args[2..] are org, user, password.
        VcdConnectionHandle vcd;
        r = Vcd.Connect("{\"server\": \"" + url + "\", \"org\": \"" + args[2] + "\", \"username\": \"" + args[3] + "\", \"password\": \"" + args[4] + "\"}", out vcd);
        Check(r.IsOk && vcd != null, "Cloud Director login");
        if (vcd != null)
        {
            Check(Vcd.GetRoles(vcd, "{\"name\": \"vApp User\"}").Json.Contains("urn:vcloud:role:"), "Cloud Director roles");
            r = Vcd.NewUsers(vcd, "{\"users\": [{\"username\": \"cs.vcd\", \"password\": \"cs-password\", \"roles\": [\"vApp User\"]}, {\"username\": \"\", \"roles\": [\"vApp User\"]}]}");
            Check(r.Status == VcsStatus.PartialFailure && r.Json.Contains("users[1].username") && !r.Json.Contains("cs-password"), "Cloud Director bulk create");
            string vid = Id(r.Json, "\"outcome\":\"created\"");
            Check(Vcd.GetUser(vcd, vid).Json.Contains("\"username\":\"cs.vcd\""), "Cloud Director get user");
            Check(Vcd.SetUser(vcd, "{\"id\": \"" + vid + "\", \"fullName\": \"Cs Vcd\"}").Json.Contains("Cs Vcd"), "Cloud Director set user");
            Check(Vcd.GetUsers(vcd, "{\"name\": \"cs.*\"}").Json.Contains(vid), "Cloud Director list users");
            Check(Vcd.RemoveUsers(vcd, "{\"users\": [\"" + vid + "\"]}").IsOk, "Cloud Director remove user");
            VcdSyncChecks(vcd);
            vcd.Dispose();
            Check(vcd.IsClosed, "the Cloud Director handle is released");
        }

        ConnectRulesAndSavedTokens(url, token);
        CancelBulkCallFromAnotherThread(url, args[2], args[3], args[4]);

        CursorChecks(url, token);

        Console.WriteLine("C# host: " + passed + " checks passed, " + failed + " failed");
        return failed == 0 ? 0 : 1;
    }

    // Jobs: a bulk call on a derived connection, cancelled from another thread (as a cmdlet's
    // StopProcessing does while ProcessRecord waits in the native call).
    static void CancelBulkCallFromAnotherThread(string url, string org, string user, string password)
    {
        using (WebClient web = new WebClient())
        {
            web.Headers[HttpRequestHeader.ContentType] = "application/json";
            web.UploadString(url + "/_emulator/faults", "{\"method\": \"POST\", \"path\": \"/cloudapi/1.0.0/users\", \"latencyMs\": 100}");
        }
        VcdConnectionHandle vcd;
        VcsResult r = Vcd.Connect("{\"server\": \"" + url + "\", \"org\": \"" + org + "\", \"username\": \"" + user + "\", \"password\": \"" + password + "\", \"concurrency\": 2}", out vcd);
        Check(r.IsOk && vcd != null, "jobs: Cloud Director login");
        if (vcd == null) return;
        VcsJobHandle job = VcsJobs.New();
        Check(job != null, "jobs: a new job");
        VcdConnectionHandle derived;
        r = VcsJobs.WithJob(vcd, job, out derived);
        Check(r.IsOk && derived != null, "jobs: a connection under the job");
        if (derived == null) return;
        System.Text.StringBuilder users = new System.Text.StringBuilder("{\"users\": [");
        for (int i = 0; i < 100; i++)
            users.Append(i == 0 ? "" : ",").Append("{\"username\": \"cs.job" + i + "\", \"password\": \"cs-password\", \"roles\": [\"vApp User\"]}");
        users.Append("]}");
        VcsResult report = null;
        System.Threading.Thread worker = new System.Threading.Thread(() => { report = Vcd.NewUsers(derived, users.ToString()); });
        worker.Start();
        DateTime until = DateTime.UtcNow.AddSeconds(30);
        while (!Regex.IsMatch(VcsJobs.Progress(job, 0).Json, "\"done\":([5-9]|\\d\\d)") && DateTime.UtcNow < until)
            System.Threading.Thread.Sleep(10);
        DateTime cancelled = DateTime.UtcNow;
        Check(VcsJobs.Cancel(job) == VcsStatus.Ok, "jobs: cancel from another thread");
        worker.Join();
        double seconds = (DateTime.UtcNow - cancelled).TotalSeconds;
        Check(seconds < 2, "jobs: the call returned soon after the cancel (" + seconds + " s)");
        Check(report != null && report.Status == VcsStatus.PartialFailure && report.Json.Contains("\"cancelled\":true")
            && report.Json.Contains("\"notStarted\"") && report.Json.Contains("\"created\""), "jobs: the cancelled call reports done and not started items");
        VcsResult progress = VcsJobs.Progress(job, 0);
        Check(progress.Json.Contains("\"cancelled\":true") && progress.Json.Contains("\"done\":100"), "jobs: progress shows every item once");
        Check(Vcd.GetUsers(derived, null).Status == VcsStatus.Cancelled, "jobs: later calls under the cancelled job are cancelled");
        derived.Dispose();
        Check(Vcd.GetRoles(vcd, null).IsOk, "jobs: disposing the derived connection keeps the session");
        job.Dispose();
        vcd.Dispose();
        using (WebClient web = new WebClient())
            web.UploadString(url + "/_emulator/faults", "DELETE", "");
    }

    // ---- Cursors: a whole listing, an early stop, a slow listing cancelled from another thread ----

    static int Count(string json, string what)
    {
        return json == null ? 0 : Regex.Matches(json, Regex.Escape(what)).Count;
    }

    static void CursorChecks(string url, string token)
    {
        VcsConnectionHandle conn;
        VcsResult r = Vcs.Connect("{\"server\": \"" + url + "\", \"apiToken\": \"" + token + "\", \"pageSize\": 5}", out conn);
        Check(r.IsOk, "connect for cursors");
        if (conn == null) return;
        int expected = Count(Vcs.GetUsers(conn, null).Json, "\"uid\":");

        VcsCursor cursor;
        r = VcsCursors.OpenUsers(conn, null, out cursor);
        Check(r.IsOk && cursor != null, "open a user cursor");
        int listed = 0, pages = 0;
        string items;
        while ((r = cursor.Next(out items)).IsOk && items != null)
        {
            pages++;
            listed += Count(items, "\"uid\":");
        }
        Check(r.IsOk && listed == expected && expected > 5 && pages > 1, "the cursor lists every user, page by page (" + listed + " of " + expected + ")");
        Check(cursor.Progress().Json.Contains("\"read\":" + expected), "progress counts what was read");
        cursor.Dispose();
        Check(cursor.IsClosed, "the cursor is released");

        r = VcsCursors.OpenUsers(conn, "{\"name\": \"*\"}", out cursor);
        r = cursor.Next(out items);
        Check(r.IsOk && Count(items, "\"uid\":") == 5, "one page, then stop early");
        cursor.Dispose();
        cursor.Dispose();
        Check(cursor.IsClosed, "stopping early frees the cursor; a second Dispose is harmless");

        r = VcsCursors.OpenUsers(conn, "{\"name\": []}", out cursor);
        Check(r.Status == VcsStatus.InvalidArgument && cursor == null && r.Json.Contains("\"field\":\"name\""), "an empty filter is refused");
        r = VcsCursors.OpenUserInvitations(conn, "{\"status\": \"Available\"}", out cursor);
        Check(r.IsOk && cursor.Next(out items).IsOk, "an invitation cursor");
        cursor.Dispose();

        // A slow listing: every page hangs for 20 s; Cancel on this thread releases the reader.
        var web = new WebClient();
        web.Headers[HttpRequestHeader.ContentType] = "application/json";
        web.UploadString(url + "/_emulator/faults", "POST", "{\"method\": \"GET\", \"path\": \"/csp/gateway/am/api/v2/orgs/*/users\", \"latencyMs\": 20000}");
        r = VcsCursors.OpenUsers(conn, null, out cursor);
        VcsResult waited = null;
        var stopwatch = new Stopwatch();
        var reader = new Thread(() => { string ignored; waited = cursor.Next(out ignored); stopwatch.Stop(); });
        reader.Start();
        Thread.Sleep(300);
        Check(reader.IsAlive, "the reader waits for the hanging page");
        Check(cursor.Progress().Json.Contains("\"read\":0"), "progress while the reader waits");
        stopwatch.Start();
        cursor.Cancel();
        Check(reader.Join(5000), "the reader returned after the cancel");
        Check(waited != null && waited.Status == VcsStatus.Cancelled, "the waiting Next says Cancelled");
        Console.WriteLine("Next returned " + stopwatch.ElapsedMilliseconds + " ms after Cancel");
        Check(stopwatch.ElapsedMilliseconds < 1000, "promptly");
        Check(cursor.Next(out items).Status == VcsStatus.Cancelled && items == null, "and so does a later Next");
        cursor.Dispose();
        web.UploadString(url + "/_emulator/faults", "DELETE", "");
        conn.Dispose();
    }
}
