using System.Linq;
using System.Management.Automation;
using System.Text.Json;
using VMware.CloudServices.Impl.V1.CmdletOutput;
using VMware.CloudServices.Types.V1;
using VMware.CloudServices.Types.V1.CmdletOutput;

namespace VcsNative.Commands
{
    /// <summary>
    /// Remove-VcsUserInvitation: revokes pending invitations, piped from Get-VcsUserInvitation (on
    /// the connection they came from) or given by id. One call per connection at the end, one
    /// error per invitation that could not be revoked.
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "VcsUserInvitation", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    public sealed class RemoveVcsUserInvitationCommand : VcsCmdlet
    {
        private readonly PerServer<VcsServerImpl, string> pending = new PerServer<VcsServerImpl, string>();

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [Alias("Invitation")]
        [VcsUserInvitationTransformation]
        [ValidateNotNullOrEmpty]
        public IVcsUserInvitation[] UserInvitation { get; set; }

        /// <summary>Revokes without asking, unless -Confirm is given.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        [VcsServerTransformation]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VcsServerCompleter))]
        public IVcsServer[] Server { get; set; }

        protected override void ProcessRecord()
        {
            foreach (IVcsUserInvitation i in UserInvitation)
            {
                if (string.IsNullOrEmpty(i.Id))
                {
                    WriteError(LibraryError.Of("invalidArgument", "The invitation has no id.").ToErrorRecord(i));
                    continue;
                }
                string label = i is VcsUserInvitationReference ? i.Id : i.Name + " (" + i.Id + ")";
                if (!ShouldRemove(Force, label, "Revoke invitation")) continue;
                foreach (VcsServerImpl s in this.TargetsFor(Server, (i as VcsUserInvitationImpl)?.Server)) pending.Add(s, i.Id);
            }
        }

        protected override void EndProcessing()
        {
            foreach (var (server, ids) in pending.Groups)
            {
                using var request = new RequestJson().Strings("invitations", ids.Distinct());
                if (TryBulk(NativeMethods.vcs_remove_user_invitations, server.Handle, request, WireJson.Default.BulkReportJsonElement, ids.Distinct(), out BulkReport<JsonElement> report, server.Name))
                {
                    foreach (var item in Succeeded(report, server.Name)) WriteVerbose(item.InputText + ": " + item.Outcome + (item.Message == null ? "" : " (" + item.Message + ")") + " on " + server.Name);
                }
            }
        }
    }
}
