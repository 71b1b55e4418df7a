using System.Linq;
using System.Collections.Generic;
using System.Management.Automation;
using System.Security;

namespace VcsNative.Commands
{
    /// <summary>
    /// New-VcdUser: creates users from parameters or from piped rows (Import-Csv: every column
    /// binds by name). The rows are collected and sent in one call per session, which reports
    /// row by row: the good rows are created, each refused row is one error naming its username.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "VcdUser", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(VcdUser))]
    public sealed class NewVcdUserCommand : VcdCmdlet
    {
        private readonly PerServer<VcdServer, Row> pending = new PerServer<VcdServer, Row>();

        /// <summary>The username. Aliases are case-insensitive: "Username" covers a "UserName" column too.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Username")]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; }

        /// <summary>Required for LOCAL users, refused for the others; text (a CSV cell) is taken too. Empty means none.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [SecureStringTransformation]
        public SecureString Password { get; set; }

        /// <summary>Role names, URNs or Get-VcdRole objects; a text may list several names separated by ';'.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Roles")]
        [ArgumentCompleter(typeof(VcdRoleCompleter))]
        public object[] Role { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string FullName { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string Email { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string Description { get; set; }

        /// <summary>Whether the user may log in (default: yes); 'true'/'false' text binds.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [CsvBooleanCell("Enabled")]
        public bool? Enabled { get; set; }

        /// <summary>Where the user is defined (default LOCAL); an empty cell means the default.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [CsvChoiceCell("ProviderType", "LOCAL", "LOCAL", "LDAP", "SAML", "OAUTH")]
        [ValidateSet("LOCAL", "LDAP", "SAML", "OAUTH")]
        public string ProviderType { get; set; }

        /// <summary>The role comes from group membership.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [CsvBooleanCell("IsGroupRole")]
        public SwitchParameter IsGroupRole { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [CsvCountCell("StoredVmQuota")]
        public int? StoredVmQuota { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [CsvCountCell("DeployedVmQuota")]
        public int? DeployedVmQuota { get; set; }

        /// <summary>Not bound from piped rows: a column or a piped user's Server must not pick where users are created.</summary>
        [Parameter]
        [VcdServerTransformation]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VcdServerCompleter))]
        public VcdServer[] Server { get; set; }

        protected override void BeginProcessing()
        {
            CsvCellAttribute.TakeProblems();
        }

        protected override void ProcessRecord()
        {
            // A typed cell that did not convert: the row is an error naming the column and value; nothing is created for it.
            List<string> problems = CsvCellAttribute.TakeProblems();
            if (problems != null)
            {
                var bad = LibraryError.Of("invalidArgument", "User '" + Name + "' not created: " + string.Join("; ", problems) + ".");
                bad.Field = problems[0].Substring(0, problems[0].IndexOf(' '));
                WriteError(bad.ToErrorRecord(Name));
                return;
            }
            IReadOnlyList<VcdServer> targets = VcdTargets(Server);
            if (!ShouldProcess(Name, "Create Cloud Director user")) return;
            var row = new Row
            {
                Username = Name,
                // A copy that this command wipes after the call; an empty cell means no password.
                Password = Password != null && Password.Length > 0 ? Password.Copy() : null,
                Roles = RoleList(Role),
                FullName = Empty(FullName),
                Email = Empty(Email),
                Description = Empty(Description),
                Enabled = Enabled,
                ProviderType = ProviderType?.ToUpperInvariant(),
                IsGroupRole = IsGroupRole.IsPresent,
                StoredVmQuota = StoredVmQuota,
                DeployedVmQuota = DeployedVmQuota,
            };
            foreach (VcdServer s in targets) pending.Add(s, row);
        }

        protected override void EndProcessing()
        {
            try
            {
                foreach (var (server, rows) in pending.Groups)
                {
                        Create(server, rows);
                }
            }
            finally
            {
                foreach (var (_, rows) in pending.Groups)
                {
                    foreach (Row r in rows) r.Password?.Dispose();
                }
            }
        }

        private void Create(VcdServer server, List<Row> rows)
        {
            using var request = new RequestJson();
            request.Writer.WriteStartArray("users");
            foreach (Row r in rows)
            {
                request.Writer.WriteStartObject();
                request.String("username", r.Username).Secret("password", r.Password).Strings("roles", r.Roles)
                    .String("fullName", r.FullName).String("email", r.Email).String("description", r.Description)
                    .Bool("enabled", r.Enabled).String("providerType", r.ProviderType).Bool("isGroupRole", r.IsGroupRole)
                    .Int("storedVmQuota", r.StoredVmQuota).Int("deployedVmQuota", r.DeployedVmQuota);
                request.Writer.WriteEndObject();
            }
            request.Writer.WriteEndArray();

            if (!TryBulk(NativeMethods.vcd_new_user, server.Handle, request, VcdJson.Default.BulkReportVcdUser, rows.Select(r => (object)r.Username), out BulkReport<VcdUser> report, server.Name)) return;
            foreach (BulkItem<VcdUser> item in Succeeded(report, server.Name))
            {
                if (item.Result == null) continue;
                item.Result.Server = server;
                WriteObject(item.Result);
            }
        }

        private static string Empty(string text) => string.IsNullOrEmpty(text) ? null : text;

        private sealed class Row
        {
            internal string Username;
            internal SecureString Password;
            internal List<string> Roles;
            internal string FullName;
            internal string Email;
            internal string Description;
            internal bool? Enabled;
            internal string ProviderType;
            internal bool IsGroupRole;
            internal int? StoredVmQuota;
            internal int? DeployedVmQuota;
        }
    }
}
