using VMware.CloudServices.Types.V1;
using VMware.CloudServices.Types.V1.CmdletOutput;

namespace VMware.CloudServices.Impl.V1.CmdletOutput
{
    /// <summary>A user of a CSP organization (Get-VcsUser).</summary>
    public sealed class VcsUserImpl : IVcsUser
    {
        public string Id { get; set; }
        public string Name { get; set; }
        public string Username { get; set; }
        public string Email { get; set; }
        public string FirstName { get; set; }
        public string LastName { get; set; }
        public string[] OrganizationRoles { get; set; }
        public VcsServiceRoleGrant[] ServiceRoles { get; set; }
        public string Uid { get; set; }

        /// <summary>The connection the user was read from; commands given the user act there.</summary>
        [System.Text.Json.Serialization.JsonIgnore]
        public IVcsServer Server { get; internal set; }

        public override string ToString() => Username;
    }

    /// <summary>The roles a user or an invitation holds in one service.</summary>
    public sealed class VcsServiceRoleGrant
    {
        public string ServiceId { get; set; }
        public string ServiceName { get; set; }
        public string[] Roles { get; set; }

        public override string ToString() => ServiceName + ": " + string.Join(", ", Roles ?? System.Array.Empty<string>());
    }
}
