using System.Text.Json.Serialization;
using VMware.CloudServices.Types.V1;
using VMware.CloudServices.Types.V1.CmdletOutput;

namespace VMware.CloudServices.Impl.V1.CmdletOutput
{
    /// <summary>A role in one service (Get-VcsServiceRole): vmc-user:full, nsx:cloud_admin, ...</summary>
    public sealed class VcsServiceRoleImpl : IVcsServiceRole
    {
        /// <summary>Role names are unique across services, so the name is the id.</summary>
        public string Id { get; set; }
        public string Name { get; set; }
        public string DisplayName { get; set; }
        public string ServiceId { get; set; }
        public string ServiceName { get; set; }
        public string Uid { get; set; }

        /// <summary>The connection the role was read from.</summary>
        [JsonIgnore]
        public IVcsServer Server { get; internal set; }

        public override string ToString() => Name;
    }
}
