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
    /// Set-VcsUser: adds and removes members' organization and service roles. Users are collected
    /// from the pipeline; per connection the library first resolves them in a dry run (who would
    /// change, who already holds the roles), each resolved user is confirmed by name, and only the
    /// confirmed ids are sent. One user out per changed or unchanged member, one error per failure.
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "VcsUser", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(IVcsUser))]
    public sealed class SetVcsUserCommand : VcsCmdlet
    {
        private readonly PerServer<VcsServerImpl, IVcsUser> pending = new PerServer<VcsServerImpl, IVcsUser>();

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [VcsUserTransformation]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public IVcsUser[] User { get; set; }

        [Parameter]
        [VcsOrganizationRoleTransformation]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(OrganizationRoleCompleter))]
        public IVcsOrganizationRole[] AddOrganizationRole { get; set; }

        [Parameter]
        [VcsOrganizationRoleTransformation]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(OrganizationRoleCompleter))]
        public IVcsOrganizationRole[] RemoveOrganizationRole { get; set; }

        [Parameter]
        [VcsServiceRoleTransformation]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ServiceRoleCompleter))]
        public IVcsServiceRole[] AddServiceRole { get; set; }

        [Parameter]
        [VcsServiceRoleTransformation]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ServiceRoleCompleter))]
        public IVcsServiceRole[] RemoveServiceRole { get; set; }

        /// <summary>Asks the service to tell the users by email.</summary>
        [Parameter]
        public SwitchParameter NotifyUsers { get; set; }

        [Parameter]
        [VcsServerTransformation]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VcsServerCompleter))]
        public IVcsServer[] Server { get; set; }

        protected override void BeginProcessing()
        {
            if (AddOrganizationRole == null && RemoveOrganizationRole == null && AddServiceRole == null && RemoveServiceRole == null)
            {
                ThrowTerminatingError(LibraryError.Of("invalidArgument",
                    "Give at least one role to add or remove: -AddOrganizationRole, -RemoveOrganizationRole, -AddServiceRole or -RemoveServiceRole.").ToErrorRecord(null));
            }
        }

        protected override void ProcessRecord()
        {
            foreach (IVcsUser u in User)
            {
                foreach (VcsServerImpl s in this.TargetsFor(Server, (u as VcsUserImpl)?.Server)) pending.Add(s, u);
            }
        }

        protected override void EndProcessing()
        {
            foreach (var (server, users) in pending.Groups) Change(server, users);
        }

        /// <summary>
        /// The library resolves the users in a dry run (who would change, who already holds the
        /// roles), each wouldUpdate user is confirmed by name with the change, and only the
        /// confirmed ids are sent, under a job: Stop cancels what is not sent yet.
        /// </summary>
        private void Change(VcsServerImpl server, List<IVcsUser> users)
        {
            ConfirmResolved(SyncNativeMethods.vcs_set_user_roles, server.Handle, (ids, dryRun) => Request(w => WriteUsers(w, users, ids), dryRun),
                users.Select(Label), server.Name, new Confirmation
                {
                    Outcome = "wouldUpdate",
                    Target = (item, id) => item.Label + " (" + id + ")",
                    Action = item => "Change roles: " + item.Message,
                    Other = item =>
                    {
                        if (item.Outcome == "unchanged") WriteObject(UserOf(item, server));
                        else WriteVerbose(item.Label + ": " + item.Outcome + (item.Message == null ? "" : " (" + item.Message + ")"));
                    },
                    Translate = Translate,
                    Done = item =>
                    {
                        if (item.Outcome == "updated" || item.Outcome == "unchanged") WriteObject(UserOf(item, server));
                        else WriteVerbose(item.Label + ": " + item.Outcome);
                    },
                });
        }

        /// <summary>"users": the members as given (the dry run), else the confirmed ids.</summary>
        private static void WriteUsers(Utf8JsonWriter w, List<IVcsUser> users, IReadOnlyList<string> ids)
        {
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
        }

        /// <summary>{"users", "addOrganizationRoles", "removeOrganizationRoles", "addServiceRoles", "removeServiceRoles", "notifyUsers", "dryRun"}.</summary>
        private RequestJson Request(System.Action<Utf8JsonWriter> users, bool dryRun)
        {
            var request = new RequestJson();
            users(request.Writer);
            request.Strings("addOrganizationRoles", AddOrganizationRole?.Select(r => r.Name).Distinct())
                .Strings("removeOrganizationRoles", RemoveOrganizationRole?.Select(r => r.Name).Distinct());
            ServiceRoles(request.Writer, "addServiceRoles", AddServiceRole);
            ServiceRoles(request.Writer, "removeServiceRoles", RemoveServiceRole);
            return request.Bool("notifyUsers", NotifyUsers.IsPresent).Bool("dryRun", dryRun);
        }

        /// <summary>
        /// Role objects go under their service id; text goes as 'SERVICE=ROLE' (split at the last
        /// '=', as the tour and the CLI write it) or as a bare role name the library finds the service of.
        /// </summary>
        private static void ServiceRoles(Utf8JsonWriter w, string name, IVcsServiceRole[] roles)
        {
            if (roles == null) return;
            var specs = new List<(string Service, string Role)>();
            foreach (IVcsServiceRole r in roles)
            {
                int eq = r is VcsServiceRoleReference ? r.Name.LastIndexOf('=') : -1;
                if (eq > 0 && eq < r.Name.Length - 1) specs.Add((r.Name.Substring(0, eq).Trim(), r.Name.Substring(eq + 1).Trim()));
                else specs.Add((r.ServiceId ?? "", r.Name));
            }
            w.WriteStartArray(name);
            foreach (var byService in specs.GroupBy(s => s.Service))
            {
                w.WriteStartObject();
                if (byService.Key.Length > 0) w.WriteString("service", byService.Key);
                w.WriteStartArray("roles");
                foreach (string role in byService.Select(s => s.Role).Distinct()) w.WriteStringValue(role);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }

        /// <summary>The member as the report gives it, with the roles held after the change.</summary>
        private static VcsUserImpl UserOf(BulkItem<JsonElement> item, VcsServerImpl server)
        {
            var user = new VcsUserImpl
            {
                Id = item.Target?.Id ?? item.Id,
                Username = item.Target?.Username,
                Email = item.Target?.Email,
                Name = item.Target?.Name,
                Server = server,
            };
            if (item.Result.ValueKind == JsonValueKind.Object)
            {
                if (item.Result.TryGetProperty("organizationRoles", out JsonElement org) && org.ValueKind == JsonValueKind.Array)
                {
                    user.OrganizationRoles = org.EnumerateArray().Select(e => e.GetString()).ToArray();
                }
                if (item.Result.TryGetProperty("serviceRoles", out JsonElement svc) && svc.ValueKind == JsonValueKind.Array)
                {
                    // "Service name=role" lines, grouped back by service.
                    user.ServiceRoles = svc.EnumerateArray().Select(e => e.GetString() ?? "")
                        .Select(l => (Service: l.Substring(0, System.Math.Max(0, l.LastIndexOf('='))), Role: l.Substring(l.LastIndexOf('=') + 1)))
                        .GroupBy(x => x.Service)
                        .Select(g => new VcsServiceRoleGrant { ServiceName = g.Key, Roles = g.Select(x => x.Role).ToArray() })
                        .ToArray();
                }
            }
            return user;
        }

        private static string Label(IVcsUser u) => u is VcsUserReference r ? r.Text : u.Email ?? u.Username ?? u.Id;

        /// <summary>The library names its request fields; a script sees the parameters.</summary>
        private static LibraryError Translate(LibraryError e)
        {
            string field = e.Field ?? "";
            string parameter = field.StartsWith("addOrganizationRoles") ? "-AddOrganizationRole"
                : field.StartsWith("removeOrganizationRoles") ? "-RemoveOrganizationRole"
                : field.StartsWith("addServiceRoles") ? "-AddServiceRole"
                : field.StartsWith("removeServiceRoles") ? "-RemoveServiceRole"
                : field.StartsWith("users") ? "-User" : null;
            if (parameter == null || e.Message.Contains(parameter)) return e;
            // "addOrganizationRoles[0]: unknown role ..." becomes "-AddOrganizationRole: unknown role ...".
            string message = e.Message.StartsWith(field + ": ") ? e.Message.Substring(field.Length + 2) : e.Message;
            e.Message = parameter + ": " + message;
            return e;
        }
    }
}
