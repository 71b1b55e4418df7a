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
                WriteError(LibraryError.Of("invalidArgument", "-User takes a user from Get-VcdUser, or a user URN or username.").ToErrorRecord(input));
                return;
            }
            foreach (VcdServer server in TargetsOf(input, Server))
            {
                string id = (input as VcdUser)?.Id;
                string label = input is VcdUser u ? u.Username + " (" + u.Id + ")" : (string)input;
                if (id == null)
                {
                    // A URN goes as it is; a username is looked up first (the service changes users by URN).
                    string text = (string)input;
                    if (IsUserUrn(text))
                    {
                        id = text;
                    }
                    else
                    {
                        VcdUser found = FindUser(server, text, text);
                        if (found == null) continue;
                        id = found.Id;
                        label = found.Username + " (" + found.Id + ")";
                    }
                }
                if (!ShouldProcess(label + " on " + server.Name, "Change Cloud Director user")) continue;

                var given = MyInvocation.BoundParameters;
                using var change = new RequestJson().String("id", id);
                if (given.ContainsKey(nameof(FullName))) change.String("fullName", FullName ?? "");
                if (given.ContainsKey(nameof(Email))) change.String("email", Email ?? "");
                if (given.ContainsKey(nameof(Description))) change.String("description", Description ?? "");
                change.Bool("enabled", Enabled).Strings("roles", Role == null ? null : RoleList(Role)).Secret("password", Password)
                    .Int("storedVmQuota", StoredVmQuota).Int("deployedVmQuota", DeployedVmQuota);
                if (TryCall(NativeMethods.vcd_set_user, server.Handle, change, VcdJson.Default.VcdUser, input, out VcdUser now))
                {
                    now.Server = server;
                    WriteObject(now);
                }
            }
        }
    }
}
