using System.Management.Automation;
using System.Security;

namespace VcsNative.Commands
{
    /// <summary>Set-VcdUser: changes what is given of a user (the rest stays) and returns the user as it is now.</summary>
    [Cmdlet(VerbsCommon.Set, "VcdUser", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(VcdUser))]
    public sealed class SetVcdUserCommand : VcdCmdlet
    {
        /// <summary>A Get-VcdUser object (changed where it came from), or a URN or username.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNullOrEmpty]
        public object User { get; set; }

        [Parameter]
        public string FullName { get; set; }

        [Parameter]
        public string Email { get; set; }

        [Parameter]
        public string Description { get; set; }

        [Parameter]
        [BooleanTextTransformation]
        [ValidateNotNull]
        public bool? Enabled { get; set; }

        /// <summary>The roles the user holds afterwards (names, URNs or Get-VcdRole objects).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VcdRoleCompleter))]
        public object[] Role { get; set; }

        [Parameter]
        [SecureStringTransformation]
        [ValidateNotNull]
        public SecureString Password { get; set; }

        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int? StoredVmQuota { get; set; }

        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int? DeployedVmQuota { get; set; }

        [Parameter]
        [VcdServerTransformation]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VcdServerCompleter))]
        public VcdServer[] Server { get; set; }

        protected override void ProcessRecord()
        {
            object input = Unwrap(User);
            if (!(input is VcdUser) && !(input is string))
            {
                WriteError(LibraryError.Of("invalidArgument", "-User takes a user from Get-VcdUser, or a URN, username, email, full name or pattern naming one user.").ToErrorRecord(input));
                return;
            }
            foreach (VcdServer server in TargetsOf(input, Server))
            {
                // Text (a URN, username, email, full name or a pattern naming exactly one user) is
                // resolved by the library first, so that the question names the user it found.
                VcdUser user = input as VcdUser ?? UserById(server, (string)input, input);
                if (user == null) continue;
                string label = Label(user);
                if (!ShouldProcess(label + " on " + server.Name, "Change Cloud Director user")) continue;
                string id = user.Id;

                var given = MyInvocation.BoundParameters;
                using var change = new RequestJson().String("id", id);
                if (given.ContainsKey(nameof(FullName))) change.String("fullName", FullName ?? "");
                if (given.ContainsKey(nameof(Email))) change.String("email", Email ?? "");
                if (given.ContainsKey(nameof(Description))) change.String("description", Description ?? "");
                change.Bool("enabled", Enabled).Strings("roles", Role == null ? null : RoleList(Role)).Secret("password", Password)
                    .Int("storedVmQuota", StoredVmQuota).Int("deployedVmQuota", DeployedVmQuota);
                // Under a job: Stop cancels the change in flight.
                VcdUser now = JobRun.Run(this, NativeMethods.vcd_set_user, server.Handle, change, VcdJson.Default.VcdUser, "Set-VcdUser " + label, out LibraryError error);
                if (error != null)
                {
                    WriteItemError(Translated(error).ToErrorRecord(user));
                    if (Stopping) PublishStoppedReport();
                    continue;
                }
                now.Server = server;
                WriteObject(now);
            }
        }

        /// <summary>"Full Name &lt;email&gt; (username)", as far as the user has them.</summary>
        private static string Label(VcdUser u)
        {
            string name = string.IsNullOrEmpty(u.FullName) ? u.Username : u.FullName;
            if (!string.IsNullOrEmpty(u.Email)) name += " <" + u.Email + ">";
            return name == u.Username ? name : name + " (" + u.Username + ")";
        }
    }
}
