using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using VMware.CloudServices.Impl.V1.CmdletOutput;
using VMware.CloudServices.Types.V1;
using VMware.CloudServices.Types.V1.CmdletOutput;

namespace VcsNative.Commands
{
    /// <summary>
    /// Get-VcsOrganizationRole: the organization's roles, by name or id, or those that given users
    /// hold (users piped from Get-VcsUser, or named as text: ids, usernames, emails, patterns).
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "VcsOrganizationRole", DefaultParameterSetName = NameSet)]
    [OutputType(typeof(IVcsOrganizationRole))]
    public sealed class GetVcsOrganizationRoleCommand : VcsCmdlet
    {
        private const string NameSet = "Name";
        private const string IdSet = "Id";

        // Users piped in are asked about together at the end: one call per connection, each role once.
        private readonly PerServer<VcsServerImpl, IVcsUser> users = new PerServer<VcsServerImpl, IVcsUser>();

        [Parameter(ParameterSetName = NameSet, Position = 0)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[] Name { get; set; }

        [Parameter(ParameterSetName = NameSet, ValueFromPipeline = true)]
        [VcsUserTransformation]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public IVcsUser[] User { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = IdSet)]
        [ValidateNotNullOrEmpty]
        public string[] Id { get; set; }

        [Parameter]
        [VcsServerTransformation]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VcsServerCompleter))]
        public IVcsServer[] Server { get; set; }

        protected override void ProcessRecord()
        {
            if (User != null)
            {
                foreach (IVcsUser u in User)
                {
                    foreach (VcsServerImpl s in this.TargetsFor(Server, (u as VcsUserImpl)?.Server)) users.Add(s, u);
                }
                return;
            }
            foreach (VcsServerImpl server in CspTargets(Server))
            {
                if (ParameterSetName == IdSet)
                {
                    Write(EachById(NativeMethods.vcs_get_organization_roles, server.Handle, Id, WireJson.Default.VcsOrganizationRoleImplArray, "organization role"), server, null);
                    continue;
                }
                using var filter = new RequestJson().Strings("name", Name);
                Write(FromServer(NativeMethods.vcs_get_organization_roles, server.Handle, filter, WireJson.Default.VcsOrganizationRoleImplArray, server), server, null);
            }
        }

        protected override void EndProcessing()
        {
            foreach (var (server, given) in users.Groups)
            {
                var written = new HashSet<string>();
                using (var query = new RequestJson().Strings("name", Name).Strings("user", given.Select(Key)))
                {
                    VcsOrganizationRoleImpl[] roles = NativeAnswer.Call(NativeMethods.vcs_get_organization_roles, server.Handle, query.ToBytes(),
                        WireJson.Default.VcsOrganizationRoleImplArray, out LibraryError error);
                    if (error == null)
                    {
                        Write(roles, server, written);
                        continue;
                    }
                    if (error.Category != "notFound" || given.Count == 1)
                    {
                        WriteError(error.ToErrorRecord(given.Count == 1 ? Target(given[0]) : server));
                        continue;
                    }
                }
                // One user the library cannot find fails a question about several: ask per user,
                // so each unknown one is its own error and the others still answer.
                foreach (IVcsUser u in given)
                {
                    using var one = new RequestJson().Strings("name", Name).String("user", Key(u));
                    if (TryCall(NativeMethods.vcs_get_organization_roles, server.Handle, one, WireJson.Default.VcsOrganizationRoleImplArray, Target(u), out VcsOrganizationRoleImpl[] roles))
                    {
                        Write(roles, server, written);
                    }
                }
            }
        }

        /// <summary>What the library is given for a user: the text as typed, else the id.</summary>
        private static string Key(IVcsUser u) => u is VcsUserReference r ? r.Text : u.Id ?? u.Username;

        private static object Target(IVcsUser u) => u is VcsUserReference r ? r.Text : u;

        private void Write(IEnumerable<VcsOrganizationRoleImpl> roles, VcsServerImpl server, HashSet<string> written)
        {
            foreach (VcsOrganizationRoleImpl r in roles)
            {
                if (written != null && !written.Add(r.Id)) continue;
                r.Server = server;
                WriteObject(r);
            }
        }
    }
}
