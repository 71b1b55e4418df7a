using System;
using System.Management.Automation;
using System.Threading;

namespace VcsNative
{
    /// <summary>
    /// Write-Progress for the module's long work (a listing's pages, a bulk call's items), one
    /// activity id each: nothing when $ProgressPreference is SilentlyContinue or Ignore, a new
    /// record each time (hosts may keep the ones written), Completed at the end only if something
    /// was shown. Once the pipeline is stopping nothing is written: the stop is the caller's to
    /// handle, not the progress bar's.
    /// </summary>
    internal sealed class ProgressBar
    {
        private static int nextId = 1000;

        private readonly PSCmdlet cmdlet;
        private readonly string activity;
        private readonly int id = Interlocked.Increment(ref nextId);
        private string status;

        internal ProgressBar(PSCmdlet cmdlet, string activity)
        {
            this.cmdlet = cmdlet;
            this.activity = activity;
            Enabled = activity != null && !Silenced(cmdlet);
        }

        /// <summary>Whether records are written at all; a caller may skip gathering figures when not.</summary>
        internal bool Enabled { get; }

        private static bool Silenced(PSCmdlet cmdlet) =>
            LanguagePrimitives.TryConvertTo(cmdlet.GetVariableValue("ProgressPreference"), out ActionPreference p)
            && (p == ActionPreference.SilentlyContinue || p == ActionPreference.Ignore);

        /// <summary>"VERB done of total" (the percentage shown), or "VERB done" when the total is not known.</summary>
        internal void Show(string verb, long done, long total)
        {
            if (!Enabled) return;
            string prefix = verb == null ? "" : verb + " ";
            status = total > 0 ? prefix + done + " of " + total : prefix + done + (verb == null ? " done" : "");
            Write(new ProgressRecord(id, activity, status) { PercentComplete = total > 0 ? (int)Math.Min(100, done * 100 / total) : -1 });
        }

        /// <summary>The activity ends, with <paramref name="finalStatus"/> or the last status shown.</summary>
        internal void Complete(string finalStatus = null)
        {
            if (status == null) return;
            Write(new ProgressRecord(id, activity, finalStatus ?? status) { RecordType = ProgressRecordType.Completed, PercentComplete = 100 });
        }

        private void Write(ProgressRecord record)
        {
            if (cmdlet.Stopping) return;
            try
            {
                cmdlet.WriteProgress(record);
            }
            catch (PipelineStoppedException)
            {
                // Stopped between the check and the write.
            }
        }
    }
}
