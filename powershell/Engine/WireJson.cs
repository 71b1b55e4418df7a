using System.Text.Json;
using System.Text.Json.Serialization;
using VMware.CloudServices.Impl.V1.CmdletOutput;

namespace VcsNative
{
    /// <summary>A bulk call's per-item report: {succeeded, failed, items}.</summary>
    internal sealed class BulkReport<TResult>
    {
        public int Succeeded { get; set; }
        public int Failed { get; set; }
        public BulkItem<TResult>[] Items { get; set; }
    }

    internal sealed class BulkItem<TResult>
    {
        /// <summary>The item as it was given: a string, or an object.</summary>
        public JsonElement Input { get; set; }
        public bool Ok { get; set; }
        /// <summary>removed, invited, notInvited, created, revoked, failed, ...</summary>
        public string Outcome { get; set; }
        public string Id { get; set; }
        public string Message { get; set; }
        public TResult Result { get; set; }
        public LibraryError Error { get; set; }

        /// <summary>The input as text, for messages and error targets.</summary>
        internal string InputText => Input.ValueKind == JsonValueKind.String ? Input.GetString() : Input.ValueKind == JsonValueKind.Undefined ? Id : Input.GetRawText();
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
