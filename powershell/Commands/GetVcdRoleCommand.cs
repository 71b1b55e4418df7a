using System.Collections.Generic;
using System.Management.Automation;

namespace VcsNative.Commands
{
    /// <summary>Get-VcdRole: the roles the Cloud Director organization may give.</summary>
    [Cmdlet(VerbsCommon.Get, "VcdRole", DefaultParameterSetName = NameSet)]
    [OutputType(typeof(VcdRole))]
    public sealed class GetVcdRoleCommand : VcdCmdlet
    {
        private const string NameSet = "Name";
        private const string IdSet = "Id";

        [Parameter(ParameterSetName = NameSet, Position = 0)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[] Name { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
        [Alias("RoleId")]
        [ValidateNotNullOrEmpty]
        public string[] Id { get; set; }

        /// <summary>Also bound from a piped role's Server.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [VcdServerTransformation]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VcdServerCompleter))]
        public VcdServer[] Server { get; set; }

        protected override void ProcessRecord()
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
                WriteObject(r);
            }
        }
    }
}
