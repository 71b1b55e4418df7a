using System.Collections.Generic;
using System.Management.Automation;
using VMware.CloudServices.Impl.V1.CmdletOutput;
using VMware.CloudServices.Types.V1;
using VMware.CloudServices.Types.V1.CmdletOutput;

namespace VcsNative.Commands
{
    /// <summary>Get-VcsUserInvitation: the organization's invitations, by address (wildcards) and status, or by id.</summary>
    [Cmdlet(VerbsCommon.Get, "VcsUserInvitation", DefaultParameterSetName = NameSet)]
    [OutputType(typeof(IVcsUserInvitation))]
    public sealed class GetVcsUserInvitationCommand : VcsCmdlet
    {
        private const string NameSet = "Name";
        private const string IdSet = "Id";

        /// <summary>The invited address.</summary>
        [Parameter(ParameterSetName = NameSet, Position = 0)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[] Name { get; set; }

        [Parameter(ParameterSetName = NameSet)]
        [ValidateNotNullOrEmpty]
        [ValidateSet("Available", "Redeemed", "Revoked", "Unknown")]
        public string[] Status { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
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
                    Write(EachById(NativeMethods.vcs_get_user_invitations, server.Handle, Id, WireJson.Default.VcsUserInvitationImplArray, "invitation"), server);
                    continue;
                }
                using var filter = new RequestJson().Strings("name", Name).Strings("status", Status);
                int read = Listing.Read(NativeCursorMethods.vcs_get_user_invitations_open, server.Handle, filter, ReadInvitation, i =>
                {
                    i.Server = server;
                    WriteObject(i);
                }, "Get-VcsUserInvitation " + server.Name, out LibraryError failure);
                if (read < 0) WriteError(failure.ToErrorRecord(server));
            }
        }

        private static readonly ElementReader<VcsUserInvitationImpl> ReadInvitation = CursorReader.Of(WireJson.Default.VcsUserInvitationImpl);

        private void Write(IEnumerable<VcsUserInvitationImpl> invitations, VcsServerImpl server)
        {
            foreach (VcsUserInvitationImpl i in invitations)
            {
                i.Server = server;
                WriteObject(i);
            }
        }
    }
}
