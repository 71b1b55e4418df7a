using System.Text.Json.Serialization;
using VMware.CloudServices.Types.V1;
using VMware.CloudServices.Types.V1.CmdletOutput;

namespace VMware.CloudServices.Impl.V1.CmdletOutput
{
    /// <summary>A role of the organization itself (Get-VcsOrganizationRole): org_owner, org_member, ...</summary>
    public sealed class VcsOrganizationRoleImpl : IVcsOrganizationRole
    {
        public string Id { get; set; }
        /// <summary>The role's technical name (org_member), what invitations and role changes use.</summary>
        public string Name { get; set; }
        public string DisplayName { get; set; }
        public string Uid { get; set; }

        /// <summary>The connection the role was read from.</summary>
        [JsonIgnore]
        public IVcsServer Server { get; internal set; }

        public override string ToString() => Name;
    }
}
