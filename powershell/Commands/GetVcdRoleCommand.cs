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
                foreach (VcdRole r in RolesOf(server, ParameterSetName == IdSet ? null : Name, ParameterSetName == IdSet ? Id : null)) WriteObject(r);
            }
        }
    }
}
