using System;
using System.Text.Json.Serialization;
using VMware.CloudServices.Types.V1;
using VMware.CloudServices.Types.V1.CmdletOutput;

namespace VMware.CloudServices.Impl.V1.CmdletOutput
{
    /// <summary>An invitation to join the organization (Get-VcsUserInvitation, New-VcsUserInvitation).</summary>
    public sealed class VcsUserInvitationImpl : IVcsUserInvitation
    {
        public string Id { get; set; }
        /// <summary>The invited address (as Email).</summary>
        public string Name { get; set; }
        public string Email { get; set; }
        public UserInvitationStatusEnum Status { get; set; }
        public string CreatedBy { get; set; }
        public DateTime? CreatedDate { get; set; }
        public DateTime? ExpiredDate { get; set; }
        public string RedeemedBy { get; set; }
        public DateTime? RedeemedDate { get; set; }
        public string RevokedBy { get; set; }
        public DateTime? RevokedDate { get; set; }
        public string[] OrganizationRoles { get; set; }
        public VcsServiceRoleGrant[] ServiceRoles { get; set; }
        public string Uid { get; set; }

        /// <summary>The connection the invitation was read from; Remove-VcsUserInvitation given it acts there.</summary>
        [JsonIgnore]
        public IVcsServer Server { get; internal set; }

        public override string ToString() => Name;
    }
}
