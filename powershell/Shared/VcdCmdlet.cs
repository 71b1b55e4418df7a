using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace VcsNative
{
    /// <summary>What the Cloud Director commands share: finding users, reading role lists.</summary>
    public abstract class VcdCmdlet : VcsCmdlet
    {
        private const string UserUrnPrefix = "urn:vcloud:user:";

        /// <summary>
        /// Role names, URNs or role objects as the library takes them. A text may list several
        /// names separated by ';' (one CSV cell).
        /// </summary>
        internal static List<string> RoleList(object[] roles)
        {
            var list = new List<string>();
            foreach (object item in roles ?? Array.Empty<object>())
            {
                object value = item is PSObject ps ? ps.BaseObject : item;
                switch (value)
                {
                    case null: break;
                    case VcdRole role: list.Add(role.Id); break;
                    case VcdEntityRef reference: list.Add(reference.Id ?? reference.Name); break;
                    case string text: list.AddRange(text.Split(';').Select(n => n.Trim()).Where(n => n.Length > 0)); break;
                    default: list.Add(value.ToString()); break;
                }
            }
            return list;
        }

        /// <summary>
        /// The roles wanted in one session, one rule for Get-VcdUser -Role and Get-CIUser -Role: a
        /// role object read from the service stands for itself; a name (wildcards allowed) or URN,
        /// as text or as a role known by its name alone, is looked up by the library, one
        /// ObjectNotFound error for each that names no role there. False when nothing is left to
        /// match (the lookup failed, or only unknown names, each reported): no one is listed.
        /// </summary>
        internal bool TryRoles(VcdServer server, IEnumerable<object> wanted, out List<VcdRole> found)
        {
            found = new List<VcdRole>();
            foreach (object item in wanted)
            {
                object value = item is PSObject ps ? ps.BaseObject : item;
                switch (value)
                {
                    case CIRole ci: found.Add(ci.Role); continue;
                    case VcdRole role when role.Id != null: found.Add(role); continue;
                    case VcdRole named: value = named.Name; break;
                }
                foreach (string w in RoleList(new[] { value }))
                {
                    bool isUrn = w.StartsWith("urn:vcloud:role:", StringComparison.OrdinalIgnoreCase);
                    using var query = new RequestJson().String(isUrn ? "id" : "name", w);
                    if (!TryCall(NativeMethods.vcd_get_roles, server.Handle, query, VcdJson.Default.VcdRoleArray, w, out VcdRole[] matches)) return false;
                    if (matches.Length == 0) WriteError(LibraryError.Of("notFound", "No role '" + w + "' in " + server.Org + " on " + server.Name + ".").ToErrorRecord(w));
                    found.AddRange(matches);
                }
            }
            return found.Count > 0;
        }

        internal static bool IsUserUrn(string text) => text.StartsWith(UserUrnPrefix, StringComparison.OrdinalIgnoreCase);

        /// <summary>
        /// The roles of one session (Get-VcdRole, Get-CIRole), each with its Server set: by id, one
        /// lookup each (an unknown one is one ObjectNotFound error), else by name (wildcards, matched
        /// in the library; none: every role). A failing session is one non-terminating error.
        /// </summary>
        internal IEnumerable<VcdRole> RolesOf(VcdServer server, string[] names, string[] ids)
        {
            IEnumerable<VcdRole> roles;
            if (ids != null)
            {
                roles = EachById(NativeMethods.vcd_get_roles, server.Handle, ids, VcdJson.Default.VcdRoleArray, "role");
            }
            else
            {
                using var query = new RequestJson().Strings("name", names);
                roles = FromServer(NativeMethods.vcd_get_roles, server.Handle, query, VcdJson.Default.VcdRoleArray, server);
            }
            foreach (VcdRole r in roles)
            {
                r.Server = server;
                yield return r;
            }
        }

        /// <summary>
        /// -Id of Get-VcdUser and Get-CIUser: one lookup per URN, as PowerCLI's -Id takes ids only
        /// (a name is not looked up as one). Each unknown id or non-URN is one ObjectNotFound error,
        /// and the users found are still returned.
        /// </summary>
        internal IEnumerable<VcdUser> UsersById(VcdServer server, string[] ids)
        {
            foreach (string id in ids)
            {
                if (!IsUserUrn(id))
                {
                    WriteError(LibraryError.Of("notFound", "No user with id '" + id + "' was found: an id is a user URN (urn:vcloud:user:...); give names to -Name.").ToErrorRecord(id));
                    continue;
                }
                VcdUser user = UserById(server, id, id);
                if (user != null) yield return user;
            }
        }

        /// <summary>One user by URN; an error (not found, ...) is written non-terminating and null returned.</summary>
        internal VcdUser UserById(VcdServer server, string id, object target)
        {
            VcdUser user = NativeAnswer.Call(NativeMethods.vcd_get_user, server.Handle, Vcs.Utf8(id), VcdJson.Default.VcdUser, out LibraryError error);
            if (error != null)
            {
                WriteError(error.ToErrorRecord(target));
                return null;
            }
            user.Server = server;
            return user;
        }

        /// <summary>A user by URN or exact username (any case); not found is one non-terminating error.</summary>
        internal VcdUser FindUser(VcdServer server, string idOrUsername, object target)
        {
            if (IsUserUrn(idOrUsername)) return UserById(server, idOrUsername, target);
            using var query = new RequestJson().String("name", idOrUsername);
            if (!TryCall(NativeMethods.vcd_get_users, server.Handle, query, VcdJson.Default.VcdUserArray, target, out VcdUser[] found)) return null;
            VcdUser user = found.FirstOrDefault(u => string.Equals(u.Username, idOrUsername, StringComparison.OrdinalIgnoreCase));
            if (user == null)
            {
                WriteError(LibraryError.Of("notFound", "No user '" + idOrUsername + "' in " + server.Org + " on " + server.Name + ".").ToErrorRecord(target));
                return null;
            }
            user.Server = server;
            return user;
        }

        /// <summary>The sessions an input object acts on: its own, unless -Server was given.</summary>
        internal IReadOnlyList<VcdServer> TargetsOf(object input, VcdServer[] given)
        {
            VcdServer own = (input as VcdUser)?.Server ?? (input as VcdRole)?.Server;
            if (given == null && own != null) return VcdTargets(new[] { own });
            return VcdTargets(given);
        }

        internal static object Unwrap(object value) => value is PSObject ps ? ps.BaseObject : value;
    }
}
