using System.Linq;
using System.Collections.Generic;
using System.Management.Automation;
using System.Text.Json;

namespace VcsNative.Commands
{
    /// <summary>
    /// Remove-VcdUser: removes users given as Get-VcdUser objects (each from its own session), or
    /// as URNs, usernames or patterns. One call per session with every item; one error per item
    /// that could not be removed.
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "VcdUser", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    public sealed class RemoveVcdUserCommand : VcdCmdlet
    {
        private readonly PerServer<VcdServer, (string Sent, object Given)> pending = new PerServer<VcdServer, (string, object)>();

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public object[] User { get; set; }

        /// <summary>Removes without asking (unless -Confirm is given); -WhatIf still only reports.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        [VcdServerTransformation]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VcdServerCompleter))]
        public VcdServer[] Server { get; set; }

        protected override void ProcessRecord()
        {
            foreach (object given in User)
            {
                object input = Unwrap(given);
                string sent;
                string label;
                if (input is VcdUser u)
                {
                    sent = u.Id;
                    label = u.Username + " (" + u.Id + ")";
                }
                else if (input is string text && text.Length > 0)
                {
                    sent = label = text;
                }
                else
                {
                    WriteError(LibraryError.Of("invalidArgument", "-User takes users from Get-VcdUser, or URNs, usernames or patterns.").ToErrorRecord(input));
                    continue;
                }
                IReadOnlyList<VcdServer> targets = TargetsOf(input, Server);
                if (!ShouldRemove(Force, label, "Remove Cloud Director user")) continue;
                foreach (VcdServer s in targets) pending.Add(s, (sent, input));
            }
        }

        protected override void EndProcessing()
        {
            foreach (var (server, items) in pending.Groups)
            {
                var byText = new Dictionary<string, object>();
                using var request = new RequestJson();
                request.Writer.WriteStartArray("users");
                foreach (var (sent, given) in items)
                {
                    request.Writer.WriteStringValue(sent);
                    byText.TryAdd(sent, given);
                }
                request.Writer.WriteEndArray();

                if (!TryBulk(NativeMethods.vcd_remove_users, server.Handle, request, VcdJson.Default.BulkReportJsonElement, items.Select(i => i.Given), out BulkReport<JsonElement> report)) continue;
                foreach (BulkItem<JsonElement> item in report.Items ?? System.Array.Empty<BulkItem<JsonElement>>())
                {
                    if (item.Ok) continue;
                    string text = item.InputText;
                    object target = text != null && byText.TryGetValue(text, out object given) ? given : text;
                    WriteError((item.Error ?? LibraryError.Of("internal", "The item failed without a reason.")).ToErrorRecord(target));
                }
            }
        }
    }
}
