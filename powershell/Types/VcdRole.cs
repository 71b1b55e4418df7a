using System.Text.Json.Serialization;

namespace VcsNative
{
    /// <summary>A role a Cloud Director organization may give (Get-VcdRole).</summary>
    public sealed class VcdRole
    {
        public string Id { get; set; }
        public string Name { get; set; }
        public string Description { get; set; }
        public string BundleKey { get; set; }
        public bool ReadOnly { get; set; }

        /// <summary>The session the role was read from.</summary>
        [JsonIgnore]
        public VcdServer Server { get; internal set; }

        public override string ToString() => Name;
    }
}
