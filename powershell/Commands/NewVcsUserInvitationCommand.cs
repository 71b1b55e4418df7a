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
    /// New-VcsUserInvitation: invites addresses to the organization with the given roles. Addresses
    /// come as parameters or from the pipeline (an Email column of a CSV); all of them go to the
    /// library in one call per connection, which reports address by address.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "VcsUserInvitation", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(IVcsUserInvitation))]
    public sealed class NewVcsUserInvitationCommand : VcsCmdlet
    {
        private readonly List<string> emails = new List<string>();
        private IReadOnlyList<VcsServerImpl> targets;

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] Email { get; set; }

        [Parameter(Mandatory = true)]
        [VcsOrganizationRoleTransformation]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(OrganizationRoleCompleter))]
        public IVcsOrganizationRole[] OrganizationRole { get; set; }

        [Parameter]
        [VcsServiceRoleTransformation]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ServiceRoleCompleter))]
        public IVcsServiceRole[] ServiceRole { get; set; }

        /// <summary>Asks the service not to send the invitation email.</summary>
        [Parameter]
        public SwitchParameter SkipNotify { get; set; }

        [Parameter]
        [VcsServerTransformation]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VcsServerCompleter))]
        public IVcsServer[] Server { get; set; }

        protected override void BeginProcessing()
        {
            // Before any address is confirmed: without a connection there is nothing to ask about.
            targets = CspTargets(Server);
        }

        protected override void ProcessRecord()
        {
            string roles = string.Join(", ", OrganizationRole.Select(r => r.Name).Concat(ServiceRole?.Select(r => r.Name) ?? Enumerable.Empty<string>()));
            foreach (string e in Email)
            {
                if (ShouldProcess(e, "Invite as " + roles)) emails.Add(e);
            }
        }

        protected override void EndProcessing()
        {
            if (emails.Count == 0) return;
            foreach (VcsServerImpl server in targets)
            {
                using var request = Request();
                if (!TryBulk(NativeMethods.vcs_new_user_invitations, server.Handle, request, WireJson.Default.BulkReportVcsUserInvitationImpl, emails, out BulkReport<VcsUserInvitationImpl> report, server.Name))
                {
                    continue;
                }
                foreach (BulkItem<VcsUserInvitationImpl> item in Succeeded(report, server.Name))
                {
                    switch (item.Outcome)
                    {
                        case "invited" when item.Result != null:
                            item.Result.Server = server;
                            WriteObject(item.Result);
                            break;
                        case "notInvited":
                            WriteWarning(item.InputText + ": " + (item.Message ?? "no pending invitation was created") + ". Check the member with Get-VcsUser -Email '"
                                + item.InputText.Replace("'", "''") + "'.");
                            break;
                        default:
                            WriteVerbose(item.InputText + ": " + item.Outcome + (item.Message == null ? "" : " (" + item.Message + ")"));
                            break;
                    }
                }
            }
        }

        /// <summary>
        /// {"emails", "organizationRoles": [names], "serviceRoles": [{"service", "roles"}], "skipNotify"}.
        /// Role objects go by name, service roles grouped under their service id; roles named as
        /// text go without a service, and the library finds it.
        /// </summary>
        private RequestJson Request()
        {
            var request = new RequestJson()
                .Strings("emails", emails)
                .Strings("organizationRoles", OrganizationRole.Select(r => r.Name).Distinct());
            Utf8JsonWriter w = request.Writer;
            w.WriteStartArray("serviceRoles");
            foreach (var byService in (ServiceRole ?? new IVcsServiceRole[0]).GroupBy(r => r.ServiceId ?? ""))
            {
                w.WriteStartObject();
                if (byService.Key.Length > 0) w.WriteString("service", byService.Key);
                w.WriteStartArray("roles");
                foreach (string name in byService.Select(r => r.Name).Distinct()) w.WriteStringValue(name);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            return request.Bool("skipNotify", SkipNotify.IsPresent);
        }
    }
}
