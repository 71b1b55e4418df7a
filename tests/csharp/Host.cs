// The C# host scenario: the same steps as tests/c/scenario.c, through powershell/VcsNative.cs.
// Usage: mono host.exe URL API_TOKEN   (libvcs_native beside host.exe; no LD_LIBRARY_PATH)
using System;
using System.Net;
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

    // ---- Role changes and sync: vcs_set_user_roles, vcs_plan_sync / vcs_apply_plan, vcd_ twins ----
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

        Console.WriteLine("C# host: " + passed + " checks passed, " + failed + " failed");
        return failed == 0 ? 0 : 1;
    }
}
