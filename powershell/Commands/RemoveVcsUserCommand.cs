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
    /// wildcard patterns) are resolved by the library. One call per connection at the end, one
    /// error per user that could not be removed.
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
            foreach (IVcsUser u in User)
            {
                string label = u is VcsUserReference r ? r.Text : u.Name + " <" + (u.Email ?? u.Username) + ">";
                if (!ShouldRemove(Force, label, "Remove user")) continue;
                foreach (VcsServerImpl s in this.TargetsFor(Server, (u as VcsUserImpl)?.Server)) pending.Add(s, u);
            }
        }

        protected override void EndProcessing()
        {
            foreach (var (server, users) in pending.Groups)
            {
                using var request = new RequestJson();
                Utf8JsonWriter w = request.Writer;
                w.WriteStartArray("users");
                foreach (IVcsUser u in users)
                {
                    if (u is VcsUserReference r)
                    {
                        w.WriteStringValue(r.Text);
                        continue;
                    }
                    w.WriteStartObject();
                    if (u.Id != null) w.WriteString("id", u.Id);
                    if (u.Username != null) w.WriteString("username", u.Username);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                request.Bool("notifyUsers", NotifyUsers.IsPresent);
                if (TryBulk(NativeMethods.vcs_remove_users, server.Handle, request, WireJson.Default.BulkReportJsonElement, users.Select(u => u is VcsUserReference r ? r.Text : (object)u), out BulkReport<JsonElement> report))
                {
                    foreach (var item in Succeeded(report)) WriteVerbose(item.InputText + ": " + item.Outcome + " (" + item.Id + ") on " + server.Name);
                }
            }
        }
    }
}
