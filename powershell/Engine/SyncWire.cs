using System.Text.Json;
using System.Text.Json.Serialization;

namespace VcsNative
{
    /// <summary>Who a report item acted on (the library's target).</summary>
    internal sealed class ItemTarget
    {
        public string Id { get; set; }
        public string Username { get; set; }
        public string Email { get; set; }
        public string Name { get; set; }
    }

    /// <summary>One item of a role-change or apply report; apply items also carry the row's line and action.</summary>
    internal sealed class ReportItem
    {
        public string Input { get; set; }
        public bool Ok { get; set; }
        public string Outcome { get; set; }
        public string Id { get; set; }
        public ItemTarget Target { get; set; }
        public JsonElement Result { get; set; }
        public string Message { get; set; }
        public LibraryError Error { get; set; }
        public int? Line { get; set; }
        public string Action { get; set; }

        /// <summary>Who the item names, for messages and error targets.</summary>
        internal string Who => Target?.Email ?? Target?.Username ?? Input ?? Id;
    }

    internal sealed class ItemReport
    {
        public int Succeeded { get; set; }
        public int Failed { get; set; }
        public int Unknown { get; set; }
        public int NotStarted { get; set; }
        public bool Cancelled { get; set; }
        public ReportItem[] Items { get; set; }
    }

    /// <summary>vcs_job_progress: the items finished since the index asked for.</summary>
    internal sealed class JobProgress
    {
        public string Operation { get; set; }
        public long Done { get; set; }
        public long Failed { get; set; }
        public long Total { get; set; }
        public bool Cancelled { get; set; }
        public ReportItem[] Items { get; set; }
    }

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

    /// <summary>The shapes of the role-change and sync functions, source-generated.</summary>
    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
    [JsonSerializable(typeof(ItemReport))]
    [JsonSerializable(typeof(JobProgress))]
    [JsonSerializable(typeof(PlanWire))]
    [JsonSerializable(typeof(JsonElement))]
    [JsonSerializable(typeof(LibraryError))]
    internal sealed partial class SyncJson : JsonSerializerContext
    {
    }
}
