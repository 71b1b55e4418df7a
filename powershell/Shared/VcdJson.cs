using System.Text.Json;
using System.Text.Json.Serialization;

namespace VcsNative
{
    /// <summary>The shapes of the Cloud Director functions, source-generated (no reflection at run time).</summary>
    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
    [JsonSerializable(typeof(VcdUser))]
    [JsonSerializable(typeof(VcdUser[]))]
    [JsonSerializable(typeof(VcdRole[]))]
    [JsonSerializable(typeof(BulkReport<VcdUser>))]
    [JsonSerializable(typeof(BulkReport<JsonElement>))]
    internal sealed partial class VcdJson : JsonSerializerContext
    {
    }
}
