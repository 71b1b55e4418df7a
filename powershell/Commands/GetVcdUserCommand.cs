using System.Management.Automation;

namespace VcsNative.Commands
{
    /// <summary>Get-VcdUser: the users of the Cloud Director organization, every page, filtered by the service.</summary>
    [Cmdlet(VerbsCommon.Get, "VcdUser", DefaultParameterSetName = NameSet)]
    [OutputType(typeof(VcdUser))]
    public sealed class GetVcdUserCommand : VcdCmdlet
    {
        private const string NameSet = "Name";
        private const string IdSet = "Id";

        /// <summary>Usernames or full names; wildcards allowed.</summary>
        [Parameter(ParameterSetName = NameSet, Position = 0)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[] Name { get; set; }

        [Parameter(ParameterSetName = NameSet)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[] Email { get; set; }

        /// <summary>A FIQL filter as Cloud Director takes it, e.g. providerType==LDAP;enabled==true.</summary>
        [Parameter(ParameterSetName = NameSet)]
        [ValidateNotNullOrEmpty]
        public string Filter { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
        [Alias("UserId")]
        [ValidateNotNullOrEmpty]
        public string[] Id { get; set; }

        /// <summary>Also bound from a piped user's Server, so a user is read again where it came from.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [VcdServerTransformation]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VcdServerCompleter))]
        public VcdServer[] Server { get; set; }

        protected override void ProcessRecord()
        {
            foreach (VcdServer server in VcdTargets(Server))
            {
                if (ParameterSetName == IdSet)
                {
                    // One lookup per id: an unknown id is one error, and the others are still returned.
                    foreach (string id in Id)
                    {
                        VcdUser user = UserById(server, id, id);
                        if (user != null) WriteObject(user);
                    }
                    continue;
                }
                using var query = new RequestJson().Strings("name", Name).Strings("email", Email).String("filter", Filter);
                foreach (VcdUser user in Call(NativeMethods.vcd_get_users, server.Handle, query, VcdJson.Default.VcdUserArray, server))
                {
                    user.Server = server;
                    WriteObject(user);
                }
            }
        }
    }
}
