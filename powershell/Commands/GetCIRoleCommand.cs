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
                foreach (VcdRole r in RolesOf(server, ParameterSetName == IdSet ? null : Name, ParameterSetName == IdSet ? Id : null)) WriteObject(new CIRole(r));
            }
        }
    }
}
