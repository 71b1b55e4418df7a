using System;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;

namespace VcsNative
{
    /// <summary>One of the *_open functions of the C ABI; the cursor comes back straight into a SafeHandle.</summary>
    internal delegate VcsStatus CursorOpen<THandle>(THandle connection, byte[] json, out VcsCursorHandle cursor, out IntPtr outJson);

    /// <summary>
    /// A cmdlet's listings read through the library's cursors: each page is parsed where it lies
    /// (the cursor owns it until the next call) and each object handed on as soon as it is read,
    /// so a downstream Select-Object -First stops the fetching. <see cref="Stop"/>, called from
    /// the cmdlet's StopProcessing on another thread, cancels the cursor in flight; the reading
    /// thread alone frees it, and holds a reference on it across each next call and the read of
    /// its page, so nothing frees a page while it is being read.
    /// </summary>
    internal sealed unsafe class CursorReader
    {
        private readonly PSCmdlet cmdlet;
        private readonly object gate = new object();
        private VcsCursorHandle current;
        private bool stopped;

        internal CursorReader(PSCmdlet cmdlet)
        {
            this.cmdlet = cmdlet;
        }

        /// <summary>From StopProcessing (any thread): the listing in flight, and any later one, is cancelled.</summary>
        internal void Stop()
        {
            lock (gate)
            {
                stopped = true;
                Cancel(current);
            }
        }

        private static void Cancel(VcsCursorHandle cursor)
        {
            if (cursor == null) return;
            try
            {
                NativeCursorMethods.vcs_cursor_cancel(cursor);
            }
            catch (ObjectDisposedException)
            {
                // Already freed by the reader: nothing left to cancel.
            }
        }

        /// <summary>
        /// Lists through a cursor: each object goes to <paramref name="each"/> as its page arrives.
        /// Returns how many objects were read, or -1 with <paramref name="error"/> set. A stop
        /// ends it with PipelineStoppedException; the cursor is cancelled and freed either way.
        /// </summary>
        internal int Read<THandle, T>(CursorOpen<THandle> open, THandle connection, RequestJson query, ElementReader<T> read,
            Action<T> each, string activity, out LibraryError error) =>
            Read(open, connection, query, NativeAnswer.Elements(read), each, activity, out error);

        /// <summary>As above, each page read by a page reader (the user listing's scanner: <see cref="NativeAnswer.Scanned"/>).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal int Read<THandle, T>(CursorOpen<THandle> open, THandle connection, RequestJson query, PageReader<T> read,
            Action<T> each, string activity, out LibraryError error)
        {
            VcsStatus status = open(connection, query?.ToBytes(), out VcsCursorHandle cursor, out IntPtr openJson);
            if (status != VcsStatus.Ok || cursor == null || cursor.IsInvalid)
            {
                cursor?.Dispose();
                error = ErrorOf(status, openJson);
                return -1;
            }
            Vcs.Free(openJson);
            lock (gate)
            {
                current = cursor;
                if (stopped) Cancel(cursor);
            }
            var progress = new ProgressBar(cmdlet, activity);
            try
            {
                var strings = new Utf8Strings();
                int count = 0;
                while (true)
                {
                    int page = NextPage(cursor, read, each, strings, progress, out error);
                    if (page < 0)
                    {
                        progress.Complete();
                        return -1;
                    }
                    if (page == 0) break;
                    count += page;
                }
                progress.Complete();
                error = null;
                return count;
            }
            finally
            {
                lock (gate) current = null;
                cursor.Dispose();
            }
        }

        /// <summary>Reads one page under a reference on the cursor: how many objects, 0 at the end, -1 on error.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private int NextPage<T>(VcsCursorHandle cursor, PageReader<T> read, Action<T> each, Utf8Strings strings, ProgressBar progress, out LibraryError error)
        {
            bool added = false;
            IntPtr json = IntPtr.Zero;
            try
            {
                cursor.DangerousAddRef(ref added);
                VcsStatus status = NativeCursorMethods.vcs_cursor_next(cursor, out IntPtr items, out UIntPtr len, out json);
                // Cancelled by our Stop: the pipeline ends. Cancelled otherwise (the session ended): an error.
                if (status == VcsStatus.Cancelled && Volatile.Read(ref stopped)) throw new PipelineStoppedException();
                if (status != VcsStatus.Ok)
                {
                    error = ErrorOf(status, json);
                    json = IntPtr.Zero;
                    return -1;
                }
                int length = checked((int)len.ToUInt64());
                if (length == 0 || items == IntPtr.Zero)
                {
                    error = null;
                    return 0;
                }
                ShowProgress(progress, json);
                return read(new ReadOnlySpan<byte>((byte*)items, length), each, strings, out error);
            }
            finally
            {
                Vcs.Free(json);
                if (added) cursor.DangerousRelease();
            }
        }

        /// <summary>The error of a failed call from its JSON (freed here).</summary>
        private static LibraryError ErrorOf(VcsStatus status, IntPtr json)
        {
            try
            {
                if (json == IntPtr.Zero) return LibraryError.Of("internal", "The library returned no answer (status " + status + ").");
                var text = MemoryMarshal.CreateReadOnlySpanFromNullTerminated((byte*)json);
                return JsonSerializer.Deserialize(text, WireJson.Default.LibraryError)
                    ?? LibraryError.Of("internal", "The library failed with status " + status + ".");
            }
            catch (JsonException e)
            {
                return LibraryError.Of("protocol", "The library's error could not be read: " + e.Message);
            }
            finally
            {
                Vcs.Free(json);
            }
        }

        /// <summary>An element reader for a type the source-generated serializer reads.</summary>
        internal static ElementReader<T> Of<T>(JsonTypeInfo<T> type) =>
            (ref Utf8JsonReader reader, Utf8Strings strings) => JsonSerializer.Deserialize(ref reader, type);

        /// <summary>"read N of total" from the progress the cursor gave with its page: {"read", "total", ...}.</summary>
        private static unsafe void ShowProgress(ProgressBar bar, IntPtr json)
        {
            if (!bar.Enabled || json == IntPtr.Zero) return;
            long read = -1, total = -1;
            try
            {
                var reader = new Utf8JsonReader(MemoryMarshal.CreateReadOnlySpanFromNullTerminated((byte*)json));
                while (reader.Read())
                {
                    if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 1) continue;
                    bool isRead = reader.ValueTextEquals("read"u8), isTotal = reader.ValueTextEquals("total"u8);
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.Number) continue;
                    if (isRead) read = reader.GetInt64();
                    else if (isTotal) total = reader.GetInt64();
                }
            }
            catch (JsonException)
            {
                return;
            }
            if (read >= 0) bar.Show("read", read, total);
        }
    }
}
