using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Text.Json;
using VMware.CloudServices.Impl.V1.CmdletOutput;
using VMware.CloudServices.Types.V1;
using VMware.CloudServices.Types.V1.CmdletOutput;

namespace VcsNative.Commands
{
    /// <summary>
    /// Remove-VcsUser: removes users from the organization. Users piped from Get-VcsUser are
    /// removed on the connection they came from; users named as text (ids, usernames, emails,
    /// wildcard patterns matched against username, email and full name) are resolved by the
    /// library's dry run, each resolved user confirmed by name, then only their ids are sent.
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "VcsUser", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    public sealed class RemoveVcsUserCommand : VcsCmdlet
    {
        private readonly PerServer<VcsServerImpl, IVcsUser> pending = new PerServer<VcsServerImpl, IVcsUser>();

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [VcsUserTransformation]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public IVcsUser[] User { get; set; }

        /// <summary>Asks the service to tell the users they were removed.</summary>
        [Parameter]
        public SwitchParameter NotifyUsers { get; set; }

        /// <summary>Lets the removal reach the caller's own membership and the last org_owner (sent as allowSelf).</summary>
        [Parameter]
        public SwitchParameter AllowSelf { get; set; }

        /// <summary>Removes without asking, unless -Confirm is given.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        [VcsServerTransformation]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VcsServerCompleter))]
        public IVcsServer[] Server { get; set; }

        protected override void ProcessRecord()
        {
            // Confirmed per resolved user at the end, after the library's dry run says who a pattern is.
            foreach (IVcsUser u in User)
            {
                foreach (VcsServerImpl s in this.TargetsFor(Server, (u as VcsUserImpl)?.Server)) pending.Add(s, u);
            }
        }

        protected override void EndProcessing()
        {
            foreach (var (server, users) in pending.Groups)
            {
                RequestJson Request(IReadOnlyList<string> ids, bool dryRun)
                {
                    var request = new RequestJson();
                    Utf8JsonWriter w = request.Writer;
                    w.WriteStartArray("users");
                    if (ids != null)
                    {
                        foreach (string id in ids) w.WriteStringValue(id);
                    }
                    else
                    {
                        foreach (IVcsUser u in users) ItemTargets.WriteUser(w, u);
                    }
                    w.WriteEndArray();
                    return request.Bool("notifyUsers", NotifyUsers.IsPresent).Bool("allowSelf", AllowSelf.IsPresent).Bool("dryRun", dryRun);
                }
                RemoveResolved(NativeMethods.vcs_remove_users, server.Handle, Request, users.Select(u => u is VcsUserReference r ? r.Text : (object)u),
                    server.Name, Force, AllowSelf.IsPresent, "Remove user", item => WriteVerbose(item.Label + ": " + item.Outcome + " (" + item.Id + ") on " + server.Name));
            }
        }
    }
}
