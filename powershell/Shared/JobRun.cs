using System;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;

namespace VcsNative
{
    /// <summary>
    /// One bulk call under a job of the library: the call runs on a worker thread over a connection
    /// derived from the session (same session, every request under the job), while the pipeline
    /// thread shows the job's progress ("done of total"). The cmdlet's StopProcessing cancels the
    /// job from its own thread; the call then returns its report (cancelled: true) within about
    /// 100 ms. The derived connection and the job are freed at the end: a derived handle never logs
    /// the shared session out.
    /// </summary>
    internal sealed class JobRun
    {
        // How often the pipeline thread reads the job's progress.
        private const int PollMs = 100;
        // How long a stopped run waits for the library's cancelled report (it promises 100 ms).
        private const int StopWaitMs = 200;

        private readonly VcsJobHandle job;

        private JobRun(VcsJobHandle job) => this.job = job;

        /// <summary>Cancels the job, from any thread (StopProcessing); harmless twice or after the end.</summary>
        internal void Cancel()
        {
            try
            {
                if (!job.IsClosed) JobNativeMethods.vcs_job_cancel(job);
            }
            catch (ObjectDisposedException)
            {
                // The run ended (and freed its job) between the check and the call: nothing to stop.
            }
        }

        /// <summary>
        /// Makes <paramref name="call"/> on <paramref name="connection"/> (a VcsConnectionHandle or
        /// a VcdConnectionHandle) under a new job and returns its answer read with
        /// <paramref name="type"/> (a report, also one with failed items), or default with
        /// <paramref name="error"/> set. A stopped run returns the cancelled report; if the library
        /// did not answer in time, error is "unknown" and nothing is known of the items.
        /// <paramref name="activity"/> names the Write-Progress activity.
        /// </summary>
        internal static T Run<THandle, T>(VcsCmdlet cmdlet, NativeCall<THandle> call, THandle connection, RequestJson request,
            JsonTypeInfo<T> type, string activity, out LibraryError error) where THandle : SafeHandle
        {
            error = null;
            // Received straight into its SafeHandle; a failed call leaves nothing to free.
            VcsJobHandle made = Vcs.Kept(JobNativeMethods.vcs_job_new(out VcsJobHandle received), received);
            if (made == null)
            {
                error = LibraryError.Of("internal", "The library could not make a job.");
                return default;
            }
            using VcsJobHandle job = made;
            var run = new JobRun(job);
            THandle derived = Derive(connection, job, out error);
            if (error != null) return default;
            cmdlet.RunningJob = run;
            // A stop that came before the job was known: the job starts cancelled.
            if (cmdlet.Stopping) run.Cancel();
            try
            {
                byte[] bytes = request?.ToBytes();
                Task<(T Value, LibraryError Error)> worker = Task.Factory.StartNew(() =>
                {
                    T value = NativeAnswer.Call(call, derived, bytes, type, out LibraryError e);
                    return (value, e);
                }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

                var progress = new ProgressBar(cmdlet, activity);
                long seen = 0;
                while (!worker.Wait(PollMs))
                {
                    if (cmdlet.Stopping)
                    {
                        run.Cancel();
                        if (!worker.Wait(StopWaitMs))
                        {
                            error = LibraryError.Of("unknown", "The command was stopped before the library reported what it did: the outcome of every item is unknown.");
                            return default;
                        }
                        break;
                    }
                    ShowProgress(progress, job, ref seen);
                }
                progress.Complete("done");
                error = worker.Result.Error;
                return worker.Result.Value;
            }
            finally
            {
                cmdlet.RunningJob = null;
                // Frees only the derived handle (a call still running keeps it alive until it returns).
                derived.Dispose();
            }
        }

        /// <summary>A connection on the same session that runs every call under the job.</summary>
        private static THandle Derive<THandle>(THandle connection, VcsJobHandle job, out LibraryError error) where THandle : SafeHandle
        {
            VcsStatus status;
            IntPtr json;
            SafeHandle derived;
            switch (connection)
            {
                case VcsConnectionHandle csp:
                    status = JobNativeMethods.vcs_connection_with_job(csp, job, out VcsConnectionHandle cspDerived, out json);
                    derived = Vcs.Kept(status, cspDerived);
                    break;
                case VcdConnectionHandle vcd:
                    status = JobNativeMethods.vcd_connection_with_job(vcd, job, out VcdConnectionHandle vcdDerived, out json);
                    derived = Vcs.Kept(status, vcdDerived);
                    break;
                default:
                    throw new ArgumentException("Not a connection handle: " + typeof(THandle).Name, nameof(connection));
            }
            if (derived != null)
            {
                Vcs.Free(json);
                error = null;
                return (THandle)derived;
            }
            NativeAnswer.Read(status, json, WireJson.Default.LibraryError, out error);
            error ??= LibraryError.Of("internal", "The library could not derive a connection (status " + status + ").");
            return null;
        }

        /// <summary>
        /// Shows the job's progress, "done of total" (vcs_job_progress: only the items finished since
        /// the last poll come back each time, so the ones seen are counted to ask from there).
        /// </summary>
        private static unsafe void ShowProgress(ProgressBar bar, VcsJobHandle job, ref long seen)
        {
            if (!bar.Enabled) return;
            VcsStatus status = JobNativeMethods.vcs_job_progress(job, new UIntPtr((ulong)seen), out IntPtr json);
            long done = 0, total = 0, items = 0;
            try
            {
                if (status != VcsStatus.Ok || json == IntPtr.Zero) return;
                var reader = new Utf8JsonReader(MemoryMarshal.CreateReadOnlySpanFromNullTerminated((byte*)json));
                reader.Read();
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    string name = reader.GetString();
                    reader.Read();
                    if (name == "done") done = reader.GetInt64();
                    else if (name == "total") total = reader.GetInt64();
                    else if (name == "items" && reader.TokenType == JsonTokenType.StartArray)
                    {
                        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                        {
                            reader.Skip();
                            items++;
                        }
                    }
                    else reader.Skip();
                }
            }
            catch (JsonException)
            {
                return;
            }
            finally
            {
                Vcs.Free(json);
            }
            seen += items;
            bar.Show(null, done, total);
        }
    }
}
