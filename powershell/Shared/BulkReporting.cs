using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Text.Json.Serialization.Metadata;

namespace VcsNative
{
    /// <summary>Who a bulk item acted on, as the library resolved it: {id, username, email, name}.</summary>
    public sealed class VcsBulkTarget
    {
        public string Id { get; set; }
        public string Username { get; set; }
        public string Email { get; set; }
        public string Name { get; set; }

        /// <summary>"Full Name &lt;email&gt;", else the username, else the id.</summary>
        public override string ToString()
        {
            string contact = Email ?? Username;
            if (!string.IsNullOrEmpty(Name) && !string.IsNullOrEmpty(contact)) return Name + " <" + contact + ">";
            return !string.IsNullOrEmpty(contact) ? contact : !string.IsNullOrEmpty(Name) ? Name : Id;
        }
    }

    /// <summary>
    /// One item of a stopped bulk command, kept in $VcsStoppedReport: a stopped pipeline takes no
    /// more output, so what was done, what is unknown and what was not started is kept there.
    /// </summary>
    public sealed class VcsBulkItem
    {
        public string Command { get; set; }
        public string Server { get; set; }
        public string Input { get; set; }
        public VcsBulkTarget Target { get; set; }
        /// <summary>removed, invited, created, revoked, failed, refused, unknown, notStarted, ...</summary>
        public string Outcome { get; set; }
        public bool Ok { get; set; }
        public string Id { get; set; }
        public string Message { get; set; }
        /// <summary>The object made (an invitation, a user), where there is one.</summary>
        public object Result { get; set; }

        public override string ToString() => Outcome + ": " + (Target?.ToString() ?? Input);
    }

    public abstract partial class VcsCmdlet
    {
        /// <summary>Where a stopped bulk command keeps its report (the whole of it, item by item).</summary>
        internal const string StoppedReportVariable = "VcsStoppedReport";

        private volatile JobRun runningJob;
        private List<VcsBulkItem> stoppedReport;
        private bool toldHost;
        // Errors of a stopped run, newest last, added to $Error together (a stop must end at once).
        private readonly List<ErrorRecord> stoppedErrors = new List<ErrorRecord>();

        /// <summary>The job of the bulk call in flight, for StopProcessing.</summary>
        internal JobRun RunningJob
        {
            get => runningJob;
            set => runningJob = value;
        }

        /// <summary>
        /// A bulk call under a job (progress, Stop). When it fails as a whole (an unknown role, the
        /// session gone, the service down), each item gets the error, so that a bulk run always
        /// reports item by item; when it was stopped first, each item is reported not started (or
        /// unknown when the library did not answer in time, unless <paramref name="dryRun"/>). <paramref name="translate"/>: how the
        /// command names the error's field (after <see cref="Translated"/>); <paramref name="activity"/>:
        /// the progress bar's, by default "Command on server".
        /// </summary>
        internal bool TryBulk<THandle, T>(NativeCall<THandle> call, THandle connection, RequestJson request, JsonTypeInfo<BulkReport<T>> type,
            IEnumerable<object> items, out BulkReport<T> report, string server = null, Func<LibraryError, LibraryError> translate = null, string activity = null,
            bool dryRun = false) where THandle : SafeHandle
        {
            activity ??= MyInvocation.MyCommand.Name + (server == null ? "" : " on " + server);
            report = JobRun.Run(this, call, connection, request, type, activity, out LibraryError error);
            if (error == null) return true;
            if (Stopping || error.Category == "cancelled")
            {
                // A dry run changes nothing: stopped, its items were not started, whatever the library said.
                bool sent = !dryRun && error.Category == "unknown";
                foreach (object item in items) Stopped(server, item, sent ? "unknown" : "notStarted", error.Message);
                PublishStoppedReport();
                return false;
            }
            LibraryError shown = Translated(error);
            if (translate != null) shown = translate(shown);
            foreach (object item in items) WriteItemError(shown.ToErrorRecord(item));
            return false;
        }

        /// <summary>
        /// Reports a bulk call's items: one error per item that failed, was refused, is unknown or
        /// was not started (target: the resolved user where the library names one), and returns the
        /// items that succeeded. After a stop the report is kept (see <see cref="StoppedReportVariable"/>).
        /// </summary>
        internal IEnumerable<BulkItem<T>> Succeeded<T>(BulkReport<T> report, string server = null)
        {
            var ok = new List<BulkItem<T>>();
            bool stopped = report?.Cancelled == true || Stopping;
            foreach (BulkItem<T> item in report?.Items ?? Array.Empty<BulkItem<T>>())
            {
                if (stopped) Keep(server, item);
                if (item.Ok)
                {
                    ok.Add(item);
                    continue;
                }
                WriteItemError(ItemError(item, report.Cancelled));
            }
            if (stopped || Stopping) PublishStoppedReport();
            return stopped && Stopping ? new List<BulkItem<T>>() : ok;
        }

        /// <summary>The error of one item that is not ok; unknown and notStarted are never "failed without a reason".</summary>
        internal static ErrorRecord ItemError<T>(BulkItem<T> item, bool cancelled)
        {
            object target = (object)item.Target ?? item.InputText;
            string who = item.Label;
            switch (item.Outcome)
            {
                case "unknown":
                    string why = item.Error?.Message;
                    var unknown = LibraryError.Of("unknown", who + ": the outcome is unknown (the request was sent, no answer was learnt" + (why == null ? "" : ": " + why) + "). Check it with a Get- command before retrying.");
                    return new ErrorRecord(new VcsException(unknown), "Vcs.unknown", cancelled ? ErrorCategory.OperationStopped : LibraryError.ToErrorCategory(item.Error?.Category), target);
                case "notStarted":
                    var notStarted = LibraryError.Of("notStarted", who + ": not started: the command was stopped before it was sent.");
                    return new ErrorRecord(new VcsException(notStarted), "Vcs.notStarted", ErrorCategory.OperationStopped, target);
                default:
                    LibraryError e = item.Error ?? LibraryError.Of("internal", who + ": " + item.Outcome + (item.Message == null ? "." : ": " + item.Message));
                    e = Translated(e);
                    if (item.Target != null && e.Message != null && !e.Message.Contains(who)) e = CopyWith(e, who + ": " + e.Message);
                    return e.ToErrorRecord(target);
            }
        }

        /// <summary>The library names its CLI's flags; a script knows this module's parameters.</summary>
        internal static LibraryError Translated(LibraryError e)
        {
            if (e?.Message == null) return e;
            if (e.Message.Contains("allow-self", StringComparison.Ordinal))
                return CopyWith(e, e.Message.Replace("allowSelf (--allow-self)", "-AllowSelf").Replace("--allow-self", "-AllowSelf"));
            // Cloud Director's guard rail names no flag (the server refuses it too): -AllowSelf still sends it.
            return e.Field == "allowSelf" ? CopyWith(e, e.Message + " (with -AllowSelf the request is sent anyway)") : e;
        }

        private static LibraryError CopyWith(LibraryError e, string message) => new LibraryError
        {
            Category = e.Category, Message = message, HttpStatus = e.HttpStatus, RequestId = e.RequestId, ServiceCode = e.ServiceCode, Field = e.Field,
        };

        /// <summary>WriteError, or, once the pipeline is stopping (it takes no more), the error kept on $Error.</summary>
        internal void WriteItemError(ErrorRecord record)
        {
            if (!Stopping)
            {
                try
                {
                    WriteError(record);
                    return;
                }
                catch (PipelineStoppedException)
                {
                    // Stopped meanwhile: kept below.
                }
            }
            stoppedErrors.Add(record);
        }

        private void Stopped(string server, object input, string outcome, string why)
        {
            string text = input is string s ? s : input?.ToString();
            var item = new BulkItem<object> { Outcome = outcome, Message = why, Input = System.Text.Json.JsonSerializer.SerializeToElement(text ?? "", WireJson.Default.String) };
            Keep(server, item);
            WriteItemError(ItemError(item, cancelled: true));
        }

        private void Keep<T>(string server, BulkItem<T> item)
        {
            stoppedReport ??= new List<VcsBulkItem>();
            stoppedReport.Add(new VcsBulkItem
            {
                Command = MyInvocation.MyCommand.Name, Server = server, Input = item.InputText, Target = item.Target, Outcome = item.Outcome,
                Ok = item.Ok, Id = item.Id ?? item.Target?.Id, Message = item.Message ?? item.Error?.Message, Result = item.Result,
            });
        }

        /// <summary>
        /// One line on an interactive host (the console after Ctrl+C) saying where the report is:
        /// the streams take nothing more. A host without a UI (a hosted runspace) is left alone.
        /// </summary>
        private void TellHost()
        {
            if (!Stopping || toldHost) return;
            toldHost = true;
            try
            {
                var counts = stoppedReport.GroupBy(i => i.Outcome).Select(g => g.Count() + " " + g.Key);
                Host?.UI?.WriteWarningLine(MyInvocation.MyCommand.Name + " was stopped: " + string.Join(", ", counts) + ". Each item is in $" + StoppedReportVariable + ".");
            }
            catch (Exception e) when (e is System.Management.Automation.Host.HostException || e is NotImplementedException || e is NotSupportedException || e is InvalidOperationException)
            {
                // No UI to tell: the report is in the variable all the same.
            }
        }

        /// <summary>$global:VcsStoppedReport: every item of the stopped command, whatever $MaximumErrorCount keeps on $Error.</summary>
        internal void PublishStoppedReport()
        {
            if (stoppedReport != null)
            {
                SessionState.PSVariable.Set("global:" + StoppedReportVariable, stoppedReport.ToArray());
                TellHost();
            }
            if (stoppedErrors.Count == 0) return;
            // $Error, newest first, as the engine keeps it, within $MaximumErrorCount.
            if (SessionState.PSVariable.GetValue("global:Error") is ArrayList errors)
            {
                int max = LanguagePrimitives.TryConvertTo(SessionState.PSVariable.GetValue("global:MaximumErrorCount"), out int m) && m > 0 ? m : 256;
                stoppedErrors.Reverse();
                lock (errors.SyncRoot)
                {
                    errors.InsertRange(0, stoppedErrors.Count > max ? stoppedErrors.GetRange(0, max) : stoppedErrors);
                    if (errors.Count > max) errors.RemoveRange(max, errors.Count - max);
                }
            }
            stoppedErrors.Clear();
        }
    }
}
