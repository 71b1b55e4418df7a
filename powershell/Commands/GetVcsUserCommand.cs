using System.Collections.Generic;
using System.Management.Automation;
using VMware.CloudServices.Impl.V1.CmdletOutput;
using VMware.CloudServices.Types.V1;
using VMware.CloudServices.Types.V1.CmdletOutput;

namespace VcsNative.Commands
{
    /// <summary>Get-VcsUser: the users of the organization, every page, filtered in the library.</summary>
    [Cmdlet(VerbsCommon.Get, "VcsUser", DefaultParameterSetName = NameSet)]
    [OutputType(typeof(IVcsUser))]
    public sealed class GetVcsUserCommand : VcsCmdlet
    {
        private const string NameSet = "Name";
        private const string IdSet = "Id";

        [Parameter(ParameterSetName = NameSet, Position = 0)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[] Name { get; set; }

        [Parameter(ParameterSetName = NameSet)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[] Email { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
        [Alias("UserId")]
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
                    Write(EachById(NativeMethods.vcs_get_users, server.Handle, Id, WireJson.Default.VcsUserImplArray, "user"), server);
                    continue;
                }
                using var filter = new RequestJson().Strings("name", Name).Strings("email", Email);
                Write(Call(NativeMethods.vcs_get_users, server.Handle, filter, WireJson.Default.VcsUserImplArray, server), server);
            }
        }

        private void Write(IEnumerable<VcsUserImpl> users, VcsServerImpl server)
        {
            foreach (VcsUserImpl u in users)
            {
                u.Server = server;
                WriteObject(u);
            }
        }
    }
}
