using System;
using System.Linq;
using System.Text.Json.Serialization;

namespace VcsNative
{
    /// <summary>A user of a Cloud Director organization (Get-VcdUser, New-VcdUser, Set-VcdUser). Never holds a password.</summary>
    public sealed class VcdUser
    {
        public string Id { get; set; }

        /// <summary>The username: the name other commands take.</summary>
        [JsonIgnore]
        public string Name => Username;

        public string Username { get; set; }
        public string FullName { get; set; }
        public string Email { get; set; }
        public string Description { get; set; }

        /// <summary>The names of the roles the user holds.</summary>
        [JsonIgnore]
        public string[] Roles => RoleRefs?.Select(r => r.Name).ToArray() ?? Array.Empty<string>();

        [JsonPropertyName("roleEntityRefs")]
        public VcdEntityRef[] RoleRefs { get; set; }

        /// <summary>The organization's name.</summary>
        [JsonIgnore]
        public string Org => OrgRef?.Name;

        [JsonPropertyName("orgEntityRef")]
        [JsonInclude]
        internal VcdEntityRef OrgRef { get; set; }

        public bool Enabled { get; set; }
        public string ProviderType { get; set; }
        public bool IsGroupRole { get; set; }
        public string NameInSource { get; set; }
        public int? StoredVmQuota { get; set; }
        public int? DeployedVmQuota { get; set; }
        public bool Locked { get; set; }

        /// <summary>The session the user was read from; commands given the user act there.</summary>
        [JsonIgnore]
        public VcdServer Server { get; internal set; }

        public override string ToString() => Username;
    }

    /// <summary>A reference to a role or an organization: its URN and name.</summary>
    public sealed class VcdEntityRef
    {
        public string Id { get; set; }
        public string Name { get; set; }

        public override string ToString() => Name;
    }
}
