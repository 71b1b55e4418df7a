using System.Collections.Generic;
using System.Management.Automation;

namespace VcsNative.Commands
{
    /// <summary>Get-CIRole: PowerCLI's name for the roles a Cloud Director organization may give (as Get-VcdRole).</summary>
    [Cmdlet(VerbsCommon.Get, "CIRole", DefaultParameterSetName = NameSet)]
    [OutputType(typeof(CIRole))]
    public sealed class GetCIRoleCommand : VcdCmdlet
    {
        private const string NameSet = "Name";
        private const string IdSet = "Id";

        [Parameter(ParameterSetName = NameSet, Position = 0)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[] Name { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = IdSet)]
        [ValidateNotNullOrEmpty]
        public string[] Id { get; set; }

        [Parameter]
        [VcdServerTransformation]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VcdServerCompleter))]
        public VcdServer[] Server { get; set; }

        protected override void EndProcessing()
        {
            foreach (VcdServer server in VcdTargets(Server))
            {
                if (ParameterSetName == IdSet)
                {
                    Write(EachById(NativeMethods.vcd_get_roles, server.Handle, Id, VcdJson.Default.VcdRoleArray, "role"), server);
                    continue;
                }
                using var query = new RequestJson().Strings("name", Name);
                Write(FromServer(NativeMethods.vcd_get_roles, server.Handle, query, VcdJson.Default.VcdRoleArray, server), server);
            }
        }

        private void Write(IEnumerable<VcdRole> roles, VcdServer server)
        {
            foreach (VcdRole r in roles)
            {
                r.Server = server;
                WriteObject(new CIRole(r));
            }
        }
    }
}
