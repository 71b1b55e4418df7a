using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace VcsNative.Commands
{
    /// <summary>
    /// Get-CIUser: PowerCLI's (VMware.VimAutomation.Cloud) name for the users of Cloud Director
    /// organizations, over the same engine as Get-VcdUser. `Get-CIRole | Get-CIUser` gives the
    /// users that hold the piped roles.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "CIUser", DefaultParameterSetName = NameSet)]
    [OutputType(typeof(CIUser))]
    public sealed class GetCIUserCommand : VcdCmdlet
    {
        private const string NameSet = "Name";
        private const string IdSet = "Id";

        // Piped roles are gathered so that the users are listed once per session, not once per role.
        private readonly List<object> roles = new List<object>();

        [Parameter(ParameterSetName = NameSet, Position = 0)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[] Name { get; set; }

        /// <summary>Organization names or objects with a Name: the sessions logged in to them are read.</summary>
        [Parameter(ParameterSetName = NameSet)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public object[] Org { get; set; }

        /// <summary>Roles (Get-CIRole, Get-VcdRole), role names or URNs.</summary>
        [Parameter(ParameterSetName = NameSet, ValueFromPipeline = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VcdRoleCompleter))]
        public object[] Role { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = IdSet)]
        [ValidateNotNullOrEmpty]
        public string[] Id { get; set; }

        [Parameter]
        [VcdServerTransformation]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VcdServerCompleter))]
        public VcdServer[] Server { get; set; }

        protected override void ProcessRecord()
        {
            if (Role == null) return;
            foreach (object r in Role)
            {
                object value = Unwrap(r);
                if (value == null || (value is string s && s.Trim().Length == 0))
                {
                    ThrowTerminatingError(LibraryError.Of("invalidArgument", "-Role: an empty role would mean every user; give a role or leave -Role out.").ToErrorRecord(r));
                }
                roles.Add(value);
            }
        }

        protected override void EndProcessing()
        {
            if (ParameterSetName == IdSet)
            {
                foreach (VcdServer server in VcdTargets(Server))
                {
                    foreach (string id in Id)
                    {
                        VcdUser user = UserById(server, id, id);
                        if (user != null) WriteObject(new CIUser(user));
                    }
                }
                return;
            }
            foreach (VcdServer server in OrgSessions(Sessions()))
            {
                HashSet<string> roleIds = null;
                if (roles.Count > 0 && !TryRoleIds(server, out roleIds)) continue;
                foreach (VcdUser user in Users(server))
                {
                    if (roleIds != null && !(user.RoleRefs ?? Array.Empty<VcdEntityRef>()).Any(r => roleIds.Contains(r.Id))) continue;
                    WriteObject(new CIUser(user));
                }
            }
        }

        /// <summary>-Server, else the sessions the piped roles came from, else the default sessions.</summary>
        private IReadOnlyList<VcdServer> Sessions()
        {
            if (Server == null && roles.Count > 0 && roles.All(r => ServerOf(r) != null))
            {
                return VcdTargets(roles.Select(ServerOf).Distinct().ToArray());
            }
            return VcdTargets(Server);
        }

        private static VcdServer ServerOf(object role) => (role as CIRole)?.Server ?? (role as VcdRole)?.Server;

        /// <summary>-Org picks the sessions logged in to those organizations; an org with none is one error.</summary>
        private IEnumerable<VcdServer> OrgSessions(IReadOnlyList<VcdServer> sessions)
        {
            if (Org == null) return sessions;
            var picked = new List<VcdServer>();
            foreach (object o in Org)
            {
                object value = Unwrap(o);
                string name = value is string text ? text.Trim() : (value == null ? null : (PSObject.AsPSObject(value).Properties["Name"]?.Value ?? value)?.ToString());
                if (string.IsNullOrWhiteSpace(name))
                {
                    ThrowTerminatingError(LibraryError.Of("invalidArgument", "-Org: an empty organization name would mean every organization.").ToErrorRecord(o));
                }
                var pattern = WildcardPattern.Get(name, WildcardOptions.IgnoreCase);
                var matches = sessions.Where(s => pattern.IsMatch(s.Org)).ToList();
                if (matches.Count == 0)
                {
                    WriteError(LibraryError.Of("notFound", "No Cloud Director session is logged in to organization '" + name + "' (sessions: "
                        + string.Join(", ", sessions.Select(s => s.Org + " on " + s.Name)) + "): run Connect-CIServer -Org " + name + ".").ToErrorRecord(o));
                }
                picked.AddRange(matches.Where(m => !picked.Contains(m)));
            }
            return picked;
        }

        /// <summary>
        /// The ids of the wanted roles in this session's organization. Role objects give their id;
        /// names (wildcards allowed) are looked up by the library, one error per name that names no role.
        /// </summary>
        private bool TryRoleIds(VcdServer server, out HashSet<string> ids)
        {
            ids = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            List<string> wanted = RoleList(roles.Select(r => r is CIRole ci ? ci.Role : r).ToArray());
            foreach (string w in wanted)
            {
                if (w.StartsWith("urn:vcloud:role:", StringComparison.OrdinalIgnoreCase)) { ids.Add(w); continue; }
                using var query = new RequestJson().String("name", w);
                if (!TryCall(NativeMethods.vcd_get_roles, server.Handle, query, VcdJson.Default.VcdRoleArray, w, out VcdRole[] found)) return false;
                if (found.Length == 0)
                {
                    WriteError(LibraryError.Of("notFound", "No role '" + w + "' in " + server.Org + " on " + server.Name + ".").ToErrorRecord(w));
                    continue;
                }
                foreach (VcdRole r in found) ids.Add(r.Id);
            }
            return ids.Count > 0;
        }

        // The one place Get-CIUser lists users: to move onto the shared cursor listing (VcdListing) when it lands.
        private IEnumerable<VcdUser> Users(VcdServer server)
        {
            using var query = new RequestJson().Strings("name", Name);
            foreach (VcdUser user in Call(NativeMethods.vcd_get_users, server.Handle, query, VcdJson.Default.VcdUserArray, server))
            {
                user.Server = server;
                yield return user;
            }
        }
    }
}
