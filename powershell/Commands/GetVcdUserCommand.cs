using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace VcsNative.Commands
{
    /// <summary>Get-VcdUser: the users of the Cloud Director organization, page by page through a cursor, filtered by the service.</summary>
    [Cmdlet(VerbsCommon.Get, "VcdUser", DefaultParameterSetName = NameSet)]
    [OutputType(typeof(VcdUser))]
    public sealed class GetVcdUserCommand : VcdCmdlet
    {
        private const string NameSet = "Name";
        private const string IdSet = "Id";

        /// <summary>Usernames or full names; wildcards allowed.</summary>
        [Parameter(ParameterSetName = NameSet, Position = 0)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[] Name { get; set; }

        [Parameter(ParameterSetName = NameSet)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[] Email { get; set; }

        /// <summary>A FIQL filter as Cloud Director takes it, e.g. providerType==LDAP;enabled==true.</summary>
        [Parameter(ParameterSetName = NameSet)]
        [ValidateNotNullOrEmpty]
        public string Filter { get; set; }

        /// <summary>
        /// Only the users holding one of these roles: Get-VcdRole objects (piped ones too, so that
        /// a role's Id never binds to -Id) or role names (wildcards allowed; a name that names no
        /// role is an error, as in Get-CIUser).
        /// </summary>
        [Parameter(ParameterSetName = NameSet, ValueFromPipeline = true)]
        [VcdRoleNameTransformation]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VcdRoleCompleter))]
        public VcdRole[] Role { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
        [Alias("UserId")]
        [ValidateNotNullOrEmpty]
        public string[] Id { get; set; }

        /// <summary>Also bound from a piped user's Server, so a user is read again where it came from.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [VcdServerTransformation]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VcdServerCompleter))]
        public VcdServer[] Server { get; set; }

        // Piped roles are gathered and listed once at the end: a user holding two of them is written once.
        private readonly Dictionary<VcdServer, List<VcdRole>> rolesByServer = new Dictionary<VcdServer, List<VcdRole>>();

        protected override void ProcessRecord()
        {
            if (ParameterSetName == NameSet && Role != null)
            {
                foreach (VcdRole role in Role.Where(r => r != null))
                {
                    VcdServer[] servers = Server ?? (role.Server != null ? new[] { role.Server } : null);
                    foreach (VcdServer server in VcdTargets(servers))
                    {
                        if (!rolesByServer.TryGetValue(server, out List<VcdRole> list)) rolesByServer[server] = list = new List<VcdRole>();
                        list.Add(role);
                    }
                }
                return;
            }
            foreach (VcdServer server in VcdTargets(Server))
            {
                if (ParameterSetName == IdSet)
                {
                    foreach (VcdUser user in UsersById(server, Id)) WriteObject(user);
                    continue;
                }
                using var query = Query();
                VcdListing.Users(this, server, query, WriteUser);
            }
        }

        protected override void EndProcessing()
        {
            foreach (KeyValuePair<VcdServer, List<VcdRole>> entry in rolesByServer)
            {
                if (!TryRoles(entry.Key, entry.Value, out List<VcdRole> roles)) continue;
                using var query = Query();
                VcdListing.Users(this, entry.Key, query, roles, WriteUser);
            }
        }

        private RequestJson Query() => new RequestJson().Strings("name", Name).Strings("email", Email).String("filter", Filter);

        private void WriteUser(VcdUser user) => WriteObject(user);
    }

    /// <summary>-Role of Get-VcdUser: a name becomes a role known by its name alone; role objects pass as they are.</summary>
    internal sealed class VcdRoleNameTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object value = inputData is PSObject ps ? ps.BaseObject : inputData;
            if (value is string name) return new[] { Named(name) };
            if (value is object[] items && items.All(i => (i is PSObject p ? p.BaseObject : i) is string || (i is PSObject q ? q.BaseObject : i) is VcdRole))
            {
                return items.Select(i => (i is PSObject p ? p.BaseObject : i) is string s ? Named(s) : (VcdRole)(i is PSObject q ? q.BaseObject : i)).ToArray();
            }
            // Anything else is left to the binder, which names the parameter and the type it wanted.
            return inputData;
        }

        // An empty name would select nothing silently: refuse it, naming the parameter.
        private static VcdRole Named(string name) => string.IsNullOrWhiteSpace(name)
            ? throw new ArgumentTransformationMetadataException("-Role: a role name cannot be empty.")
            : new VcdRole { Name = name };
    }
}
