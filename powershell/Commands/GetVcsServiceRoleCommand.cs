using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using VMware.CloudServices.Impl.V1.CmdletOutput;
using VMware.CloudServices.Types.V1;
using VMware.CloudServices.Types.V1.CmdletOutput;

namespace VcsNative.Commands
{
    /// <summary>
    /// Get-VcsServiceRole: the roles the organization's services offer, by name or id, or those of
    /// given services (piped from Get-VcsService, or named as text, wildcards allowed).
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "VcsServiceRole", DefaultParameterSetName = NameSet)]
    [OutputType(typeof(IVcsServiceRole))]
    public sealed class GetVcsServiceRoleCommand : VcsCmdlet
    {
        private const string NameSet = "Name";
        private const string IdSet = "Id";

        // Services piped in are asked about together at the end: one call per connection.
        private readonly PerServer<VcsServerImpl, IVcsService> services = new PerServer<VcsServerImpl, IVcsService>();

        [Parameter(ParameterSetName = NameSet, Position = 0)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[] Name { get; set; }

        [Parameter(ParameterSetName = NameSet, ValueFromPipeline = true)]
        [VcsServiceTransformation]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public IVcsService[] Service { get; set; }

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
            if (Service != null)
            {
                foreach (IVcsService s in Service)
                {
                    foreach (VcsServerImpl target in this.TargetsFor(Server, (s as VcsServiceImpl)?.Server)) services.Add(target, s);
                }
                return;
            }
            foreach (VcsServerImpl server in CspTargets(Server))
            {
                if (ParameterSetName == IdSet)
                {
                    Write(EachById(NativeMethods.vcs_get_service_roles, server.Handle, Id, WireJson.Default.VcsServiceRoleImplArray, "service role"), server, null);
                    continue;
                }
                using var filter = new RequestJson().Strings("name", Name);
                Write(FromServer(NativeMethods.vcs_get_service_roles, server.Handle, filter, WireJson.Default.VcsServiceRoleImplArray, server), server, null);
            }
        }

        protected override void EndProcessing()
        {
            foreach (var (server, given) in services.Groups)
            {
                // A service object is named by its id (exact); text goes as typed (names, patterns).
                var keys = given.Select(s => s is VcsServiceReference r ? r.Name : s.Id ?? s.Name);
                using var query = new RequestJson().Strings("name", Name).Strings("service", keys);
                if (TryCall(NativeMethods.vcs_get_service_roles, server.Handle, query, WireJson.Default.VcsServiceRoleImplArray, server, out VcsServiceRoleImpl[] roles))
                {
                    Write(roles, server, new HashSet<string>());
                }
            }
        }

        private void Write(IEnumerable<VcsServiceRoleImpl> roles, VcsServerImpl server, HashSet<string> written)
        {
            foreach (VcsServiceRoleImpl r in roles)
            {
                if (written != null && !written.Add(r.ServiceId + "/" + r.Id)) continue;
                r.Server = server;
                WriteObject(r);
            }
        }
    }
}
