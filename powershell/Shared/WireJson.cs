using System.Text.Json;
using System.Text.Json.Serialization;
using VMware.CloudServices.Impl.V1.CmdletOutput;

namespace VcsNative
{
    /// <summary>
    /// A bulk call's per-item report: {succeeded, failed, unknown, notStarted, cancelled, items}.
    /// cancelled: the job was cancelled (a Stop) and the items say what was done, what is unknown
    /// (sent, outcome not learnt) and what was never sent.
    /// </summary>
    internal sealed class BulkReport<TResult>
    {
        public int Succeeded { get; set; }
        public int Failed { get; set; }
        public int Unknown { get; set; }
        public int NotStarted { get; set; }
        public bool Cancelled { get; set; }
        public BulkItem<TResult>[] Items { get; set; }
    }

    internal sealed class BulkItem<TResult>
    {
        /// <summary>The item as it was given: a string, or an object.</summary>
        public JsonElement Input { get; set; }
        /// <summary>What the input resolved to (a pattern: each user it matched).</summary>
        public VcsBulkTarget Target { get; set; }
        public bool Ok { get; set; }
        /// <summary>removed, invited, notInvited, created, revoked, wouldRemove, refused, failed, unknown, notStarted, ...</summary>
        public string Outcome { get; set; }
        public string Id { get; set; }
        public string Message { get; set; }
        public TResult Result { get; set; }
        public LibraryError Error { get; set; }

        /// <summary>The input as text, for messages and error targets.</summary>
        internal string InputText => Input.ValueKind == JsonValueKind.String ? Input.GetString() : Input.ValueKind == JsonValueKind.Undefined ? Id : Input.GetRawText();

        /// <summary>Who the item is about: the resolved user where the library names one, else the input.</summary>
        internal string Label => Target?.ToString() ?? InputText;
    }

    /// <summary>The shapes the CSP functions and the error JSON have, source-generated (no reflection at run time).</summary>
    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
    [JsonSerializable(typeof(LibraryError))]
    [JsonSerializable(typeof(ConnectionInfo))]
    [JsonSerializable(typeof(OAuthContextInfo))]
    [JsonSerializable(typeof(VcdSessionInfo))]
    [JsonSerializable(typeof(VcsOrganizationRoleImpl[]))]
    [JsonSerializable(typeof(VcsServiceImpl[]))]
    [JsonSerializable(typeof(VcsServiceRoleImpl[]))]
    [JsonSerializable(typeof(VcsUserInvitationImpl[]))]
    [JsonSerializable(typeof(BulkReport<JsonElement>))]
    [JsonSerializable(typeof(BulkReport<VcsUserInvitationImpl>))]
    internal sealed partial class WireJson : JsonSerializerContext
    {
    }
}
