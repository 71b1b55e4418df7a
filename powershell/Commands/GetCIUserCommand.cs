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
            if (Role == null)
            {
                // Piped input that bound to no role (a $null): refused, never read as "every user".
                if (MyInvocation.ExpectingInput && ParameterSetName == NameSet)
                {
                    WriteError(LibraryError.Of("invalidArgument", "-Role: the pipeline gave no role ($null); pipe roles from Get-CIRole or role names.").ToErrorRecord(null));
                }
                return;
            }
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
                    foreach (VcdUser user in UsersById(server, Id)) WriteObject(new CIUser(user));
                }
                return;
            }
            // A pipeline that brought no role (Get-CIRole matched none) selects no one.
            if (MyInvocation.ExpectingInput && roles.Count == 0) return;
            foreach (VcdServer server in OrgSessions(Sessions()))
            {
                List<VcdRole> wanted = null;
                if (roles.Count > 0 && !TryRoles(server, roles, out wanted)) continue;
                using var query = new RequestJson().Strings("name", Name);
                VcdListing.Users(this, server, query, wanted, user => WriteObject(new CIUser(user)));
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
    }
}
