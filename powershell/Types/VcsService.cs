using System.Text.Json.Serialization;
using VMware.CloudServices.Types.V1;
using VMware.CloudServices.Types.V1.CmdletOutput;

namespace VMware.CloudServices.Impl.V1.CmdletOutput
{
    /// <summary>A service the organization can use (Get-VcsService).</summary>
    public sealed class VcsServiceImpl : IVcsService
    {
        public string Id { get; set; }
        /// <summary>The display name (VMware Cloud on AWS).</summary>
        public string Name { get; set; }
        /// <summary>The service's technical name (VMC_ON_AWS).</summary>
        public string TechnicalName { get; set; }
        public string Description { get; set; }
        public string SelfLink { get; set; }
        public string Uid { get; set; }

        /// <summary>The connection the service was read from; Get-VcsServiceRole given the service asks there.</summary>
        [JsonIgnore]
        public IVcsServer Server { get; internal set; }

        public override string ToString() => Name;
    }
}
