using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading.Tasks;

namespace VcsNative
{
    /// <summary>
    /// Runs one library call under a job so that StopProcessing can cancel it: the call runs on a
    /// worker thread on a connection derived with the job, while the pipeline thread polls the
    /// job's progress and hands each finished item on at once (so what a stopped command wrote
    /// is what was done). Every role change and sync call goes through here.
    /// </summary>
    internal sealed class JobCall
    {
        private const int PollMilliseconds = 50;
        private readonly object gate = new object();
        private VcsJobHandle job;
        private bool stopped;

        /// <summary>From StopProcessing: the running call sends nothing more and returns within 100 ms.</summary>
        internal void Stop()
        {
            lock (gate)
            {
                stopped = true;
                if (job != null) VcsJobs.Cancel(job);
            }
        }

        internal T Run<T>(NativeCall<VcsConnectionHandle> call, VcsConnectionHandle connection, RequestJson request, JsonTypeInfo<T> type,
            Action<ReportItem, JobProgress> onItem, out LibraryError error)
        {
            return Run(call, connection, (VcsJobHandle j, out VcsConnectionHandle d) => VcsJobs.WithJob(connection, j, out d), request, type, onItem, out error);
        }

        internal T Run<T>(NativeCall<VcdConnectionHandle> call, VcdConnectionHandle connection, RequestJson request, JsonTypeInfo<T> type,
            Action<ReportItem, JobProgress> onItem, out LibraryError error)
        {
            return Run(call, connection, (VcsJobHandle j, out VcdConnectionHandle d) => VcsJobs.WithJob(connection, j, out d), request, type, onItem, out error);
        }

        private delegate VcsResult Derive<THandle>(VcsJobHandle job, out THandle derived);

        private T Run<THandle, T>(NativeCall<THandle> call, THandle connection, Derive<THandle> derive, RequestJson request, JsonTypeInfo<T> type,
            Action<ReportItem, JobProgress> onItem, out LibraryError error) where THandle : IDisposable
        {
            using VcsJobHandle mine = VcsJobs.New();
            if (mine == null)
            {
                error = LibraryError.Of("internal", "The library could not make a job.");
                return default;
            }
            VcsResult made = derive(mine, out THandle derived);
            if (derived == null)
            {
                error = ErrorOf(made.Json) ?? LibraryError.Of("internal", "The library could not run the call under a job (status " + made.Status + ").");
                return default;
            }
            lock (gate)
            {
                job = mine;
                if (stopped) VcsJobs.Cancel(mine);
            }
            byte[] bytes = request.ToBytes();
            VcsStatus status = VcsStatus.Ok;
            IntPtr answer = IntPtr.Zero;
            Task worker = Task.Run(() => status = call(derived, bytes, out answer));
            bool read = false;
            try
            {
                long seen = 0;
                while (!worker.Wait(PollMilliseconds)) seen = Deliver(mine, seen, onItem);
                Deliver(mine, seen, onItem);
                read = true;
                return NativeAnswer.Read(status, answer, type, out error);
            }
            finally
            {
                if (!read)
                {
                    // The pipeline is stopping (a write threw): the call was cancelled and ends within 100 ms.
                    Stop();
                    worker.Wait();
                    Vcs.Free(answer);
                }
                lock (gate) job = null;
                derived.Dispose();
            }
        }

        /// <summary>Hands on the items finished since <paramref name="seen"/>; returns the new count.</summary>
        private static long Deliver(VcsJobHandle job, long seen, Action<ReportItem, JobProgress> onItem)
        {
            VcsResult r = VcsJobs.Progress(job, seen);
            if (r.Status != VcsStatus.Ok || r.Json == null) return seen;
            JobProgress progress;
            try
            {
                progress = JsonSerializer.Deserialize(r.Json, SyncJson.Default.JobProgress);
            }
            catch (JsonException)
            {
                return seen;
            }
            foreach (ReportItem item in progress?.Items ?? Array.Empty<ReportItem>())
            {
                seen++;
                onItem(item, progress);
            }
            if (progress != null && (progress.Items == null || progress.Items.Length == 0)) onItem(null, progress);
            return seen;
        }

        private static LibraryError ErrorOf(string json)
        {
            if (string.IsNullOrEmpty(json)) return null;
            try
            {
                return JsonSerializer.Deserialize(json, SyncJson.Default.LibraryError);
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }

    /// <summary>
    /// The items already written from the job's progress, so that the final report writes only the
    /// rest: counted by id, else input (the progress items are the report's own items, though an
    /// apply's report then names its row's key as the input).
    /// </summary>
    internal sealed class WrittenItems
    {
        private readonly Dictionary<string, int> counts = new Dictionary<string, int>();

        private static string Key(ReportItem i) => i.Id != null ? "id:" + i.Id : "in:" + i.Input;

        internal void Add(ReportItem item)
        {
            string k = Key(item);
            counts[k] = counts.TryGetValue(k, out int n) ? n + 1 : 1;
        }

        /// <summary>Whether this final item was written already (each written item matches once).</summary>
        internal bool Take(ReportItem item)
        {
            string k = Key(item);
            if (!counts.TryGetValue(k, out int n) || n == 0) return false;
            counts[k] = n - 1;
            return true;
        }
    }
}
