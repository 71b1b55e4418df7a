using System.Collections.Generic;
using System.Management.Automation;
using VMware.CloudServices.Impl.V1.CmdletOutput;
using VMware.CloudServices.Types.V1;
using VMware.CloudServices.Types.V1.CmdletOutput;

namespace VcsNative.Commands
{
    /// <summary>Get-VcsService: the services the organization can use, by name (wildcards) or id.</summary>
    [Cmdlet(VerbsCommon.Get, "VcsService", DefaultParameterSetName = NameSet)]
    [OutputType(typeof(IVcsService))]
    public sealed class GetVcsServiceCommand : VcsCmdlet
    {
        private const string NameSet = "Name";
        private const string IdSet = "Id";

        /// <summary>Matched against the display name and the technical name.</summary>
        [Parameter(ParameterSetName = NameSet, Position = 0)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[] Name { get; set; }

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
            foreach (VcsServerImpl server in CspTargets(Server))
            {
                if (ParameterSetName == IdSet)
                {
                    Write(EachById(NativeMethods.vcs_get_services, server.Handle, Id, WireJson.Default.VcsServiceImplArray, "service"), server);
                    continue;
                }
                using var filter = new RequestJson().Strings("name", Name);
                Write(FromServer(NativeMethods.vcs_get_services, server.Handle, filter, WireJson.Default.VcsServiceImplArray, server), server);
            }
        }

        private void Write(IEnumerable<VcsServiceImpl> services, VcsServerImpl server)
        {
            foreach (VcsServiceImpl s in services)
            {
                s.Server = server;
                WriteObject(s);
            }
        }
    }
}
