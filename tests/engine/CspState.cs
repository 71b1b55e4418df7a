using System.Collections.Generic;
using System.Linq;
using System.Text.Json;

namespace VcsNative.Engine.Tests
{
    /// <summary>Reads what the CSP tests check in the emulator's state and request counts.</summary>
    internal static class CspState
    {
        public sealed record StoredUser(string Id, string Username, string[] OrgRoles);

        public sealed record StoredInvitation(string Id, string Username, string Status, string[] OrgRoles, (string ServiceId, string[] Roles)[] ServiceRoles);

        public static List<StoredUser> Users(Emulator emu) =>
            emu.State().GetProperty("users").EnumerateArray()
                .Select(u => new StoredUser(u.GetProperty("userId").GetString(), u.GetProperty("username").GetString(), Strings(u.GetProperty("orgRoles"))))
                .ToList();

        public static List<StoredInvitation> Invitations(Emulator emu) =>
            emu.State().GetProperty("invitations").EnumerateArray()
                .Select(i => new StoredInvitation(
                    i.GetProperty("id").GetString(),
                    i.GetProperty("username").GetString(),
                    i.GetProperty("status").GetString(),
                    Strings(i.GetProperty("orgRoles")),
                    i.GetProperty("serviceRoles").EnumerateArray().Select(g => (g.GetProperty("serviceId").GetString(), Strings(g.GetProperty("roles")))).ToArray()))
                .ToList();

        public static string[] Names(JsonElement state, string list) =>
            state.GetProperty(list).EnumerateArray().Select(x => x.GetProperty("name").GetString()).ToArray();

        /// <summary>How many requests with this method reached a path ending in <paramref name="pathEnd"/> (ids in the path count as any).</summary>
        public static int Requests(Emulator emu, string method, string pathEnd)
        {
            int n = 0;
            foreach (JsonProperty route in emu.Stats().GetProperty("requests").EnumerateObject())
            {
                string[] parts = route.Name.Split(' ', 2);
                string path = parts[1].Split('?')[0];
                if (parts[0] == method && path.EndsWith(pathEnd)) n += route.Value.GetInt32();
            }
            return n;
        }

        /// <summary>Every changing request the emulator served (anything but GET and the sign-in exchanges).</summary>
        public static int Changes(Emulator emu) =>
            emu.Stats().GetProperty("requests").EnumerateObject().Where(r => !r.Name.StartsWith("GET ") && !r.Name.Contains("/auth/")).Sum(r => r.Value.GetInt32());

        private static string[] Strings(JsonElement a) => a.EnumerateArray().Select(x => x.GetString()).ToArray();
    }
}
