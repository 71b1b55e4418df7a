using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Text.Json;

namespace VcsNative.Engine.Tests
{
    /// <summary>Cloud Director helpers for the tests: logging in to the emulator's tenant, reading its users from the state.</summary>
    public static class VcdTestSupport
    {
        /// <summary>Sets $vcdUrl, $vcdOrg, $vcdUser, $vcdPassword, $vcdToken in the session.</summary>
        public static void SetVcdVariables(this PsSession ps, Emulator emu)
        {
            ps.Set("vcdUrl", emu.VcdUrl);
            ps.Set("vcdOrg", emu.VcdOrg);
            ps.Set("vcdUser", emu.VcdUser);
            ps.Set("vcdPassword", emu.VcdPassword);
            ps.Set("vcdToken", emu.VcdApiToken);
        }

        /// <summary>Logs in to the tenant as its administrator, as the default session; returns the session object.</summary>
        public static PSObject ConnectVcd(this PsSession ps, Emulator emu)
        {
            ps.SetVcdVariables(emu);
            return ps.Ok("Connect-Vcd -Server $vcdUrl -Org $vcdOrg -User $vcdUser -Password $vcdPassword").Single();
        }

        /// <summary>The tenant's users as the emulator holds them (with password hashes, never passwords).</summary>
        public static List<JsonElement> TenantUsers(this Emulator emu)
        {
            JsonElement vcd = emu.State().GetProperty("vcd");
            string orgId = vcd.GetProperty("orgs").EnumerateArray().Single(o => o.GetProperty("name").GetString() == emu.VcdOrg).GetProperty("id").GetString();
            return vcd.GetProperty("users").EnumerateArray().Where(u => u.GetProperty("orgId").GetString() == orgId).ToList();
        }

        public static List<string> TenantUsernames(this Emulator emu) =>
            emu.TenantUsers().Select(u => u.GetProperty("username").GetString()).OrderBy(n => n).ToList();

        public static JsonElement TenantUser(this Emulator emu, string username) =>
            emu.TenantUsers().Single(u => u.GetProperty("username").GetString() == username);

        /// <summary>The role names the emulator gives a user (its state holds role ids).</summary>
        public static List<string> RoleNames(this Emulator emu, JsonElement user)
        {
            var roles = emu.State().GetProperty("vcd").GetProperty("roles").EnumerateArray()
                .ToDictionary(r => r.GetProperty("id").GetString(), r => r.GetProperty("name").GetString());
            return user.GetProperty("roleIds").EnumerateArray().Select(id => roles[id.GetString()]).ToList();
        }

        public static int VcdSessionCount(this Emulator emu) => emu.State().GetProperty("vcd").GetProperty("sessions").GetArrayLength();

        public static T Base<T>(this PSObject o) => (T)o.BaseObject;

        /// <summary>Creates LOCAL users with the role vApp User and the password "Temp-Pass-1" + name.</summary>
        public static void CreateUsers(this PsSession ps, params string[] usernames)
        {
            ps.Set("newUsers", usernames);
            ps.Ok("$null = $newUsers | ForEach-Object { [pscustomobject]@{ Username = $_; Password = 'Temp-Pass-1' + $_; Role = 'vApp User'; FullName = 'Full ' + $_; Email = $_ + '@acme.example'; Description = 'about ' + $_ } } | New-VcdUser -Confirm:$false");
        }

        /// <summary>The names of the fields that differ between two states of one user.</summary>
        public static List<string> ChangedFields(JsonElement before, JsonElement after) =>
            before.EnumerateObject().Where(p => p.Value.GetRawText() != after.GetProperty(p.Name).GetRawText()).Select(p => p.Name).OrderBy(n => n).ToList();
    }
}

namespace VcsNative.Engine.Tests
{
    public static class VcdStats
    {
        /// <summary>How many requests the emulator saw whose "METHOD /path" starts with the given text.</summary>
        public static int Requests(this Emulator emu, string methodAndPathPrefix) =>
            emu.Stats().GetProperty("requests").EnumerateObject().Where(p => p.Name.StartsWith(methodAndPathPrefix, System.StringComparison.Ordinal)).Sum(p => p.Value.GetInt32());
    }
}
