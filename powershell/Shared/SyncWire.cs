using System.Text.Json;
using System.Text.Json.Serialization;

namespace VcsNative
{
    /// <summary>The parts of a plan the cmdlets show; the plan itself goes back to the library as it came.</summary>
    internal sealed class PlanWire
    {
        public string Provider { get; set; }
        public string Organization { get; set; }
        public string OrganizationName { get; set; }
        public bool Prune { get; set; }
        public PlanSummaryWire Summary { get; set; }
        public PlanRowWire[] Rows { get; set; }
    }

    internal sealed class PlanSummaryWire
    {
        public int Changes { get; set; }
        public int Refused { get; set; }
        public int Invalid { get; set; }
        public int Unchanged { get; set; }
    }

    internal sealed class PlanRowWire
    {
        public int? Line { get; set; }
        public string Action { get; set; }
        public string Key { get; set; }
        public string Id { get; set; }
        public string Name { get; set; }
        public string[] Changes { get; set; }
        public string Field { get; set; }
        public string Reason { get; set; }
        public string RefusedAction { get; set; }
    }

    /// <summary>The shapes of the sync plan, source-generated.</summary>
    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
    [JsonSerializable(typeof(PlanWire))]
    [JsonSerializable(typeof(JsonElement))]
    [JsonSerializable(typeof(LibraryError))]
    internal sealed partial class SyncJson : JsonSerializerContext
    {
    }
}
