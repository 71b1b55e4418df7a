using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace VcsNative
{
    /// <summary>A function of the C ABI that takes a connection (CSP or Cloud Director) and a JSON argument.</summary>
    internal delegate VcsStatus NativeCall<THandle>(THandle connection, byte[] json, out IntPtr outJson);

    /// <summary>Reads one element of an array answer, the reader on its first token; leaves it on its last.</summary>
    internal delegate T ElementReader<T>(ref Utf8JsonReader reader, Utf8Strings strings);

    /// <summary>Reads one element of an array answer with the module's own scanner (the user listing's hot path); leaves it after the element.</summary>
    internal delegate T ScanReader<T>(ref Utf8Scanner scanner, Utf8Strings strings);

    /// <summary>
    /// Reads a whole JSON array where it lies (an answer, or one page of a cursor), each element
    /// handed to <paramref name="each"/> as soon as it is read: how many, or -1 with the error.
    /// </summary>
    internal delegate int PageReader<T>(ReadOnlySpan<byte> text, Action<T> each, Utf8Strings strings, out LibraryError error);

    /// <summary>
    /// Reads the library's answers where they lie: the JSON is parsed from the native buffer (no
    /// managed copy of the text), then the buffer is given back to the library.
    /// </summary>
    internal static unsafe class NativeAnswer
    {
        /// <summary>
        /// The result of a call that succeeded, or of a bulk call that ran (the report, also when
        /// some items failed); otherwise default, with <paramref name="error"/> set.
        /// </summary>
        internal static T Read<T>(VcsStatus status, IntPtr json, JsonTypeInfo<T> type, out LibraryError error)
        {
            using var answer = new NativeString(json);
            return Read(status, answer, type, out error);
        }

        internal static T Read<T>(VcsStatus status, NativeString answer, JsonTypeInfo<T> type, out LibraryError error)
        {
            try
            {
                error = ErrorOf(status, answer.Address, acceptReport: true, out ReadOnlySpan<byte> text);
                return error == null ? JsonSerializer.Deserialize(text, type) : default;
            }
            catch (JsonException e)
            {
                error = LibraryError.Of("protocol", "The library's answer could not be read: " + e.Message);
                return default;
            }
            finally
            {
                answer.Dispose();
            }
        }

        /// <summary>
        /// An array answer, element by element: each one goes to <paramref name="each"/> as soon as it
        /// is read, so a long list is never held twice (as an array, then in the pipeline) and the
        /// pipeline works while the rest is read. Returns how many elements there were; on failure,
        /// -1 with <paramref name="error"/> set (a malformed answer may fail after some elements).
        /// </summary>
        private static int ReadEach<T>(VcsStatus status, IntPtr json, PageReader<T> read, Action<T> each, out LibraryError error)
        {
            using var answer = new NativeString(json);
            try
            {
                error = ErrorOf(status, json, acceptReport: false, out ReadOnlySpan<byte> text);
                if (error != null) return -1;
                if (text.Length >= LargeAnswer) TrimNativeHeap();
                return read(text, each, new Utf8Strings(), out error);
            }
            catch (JsonException e)
            {
                error = LibraryError.Of("protocol", "The library's answer could not be read: " + e.Message);
                return -1;
            }
        }

        /// <summary>The page reader of an element reader (Utf8JsonReader).</summary>
        internal static PageReader<T> Elements<T>(ElementReader<T> read) =>
            (ReadOnlySpan<byte> text, Action<T> each, Utf8Strings strings, out LibraryError error) => ReadArray(text, read, each, strings, out error);

        /// <summary>The page reader of a scan reader (Utf8Scanner).</summary>
        internal static PageReader<T> Scanned<T>(ScanReader<T> read) =>
            (ReadOnlySpan<byte> text, Action<T> each, Utf8Strings strings, out LibraryError error) => ScanArray(text, read, each, strings, out error);

        /// <summary>
        /// A JSON array read where it lies (a whole answer, or one page of a cursor), each element
        /// handed to <paramref name="each"/> as soon as it is read. Returns how many elements there
        /// were, or -1 with <paramref name="error"/> set for a malformed array. The loop and the
        /// element readers are marked AggressiveOptimization: a listing runs them 100,000 times in a
        /// fresh session, and unoptimized first-tier code cost a fifth of the reading (a module
        /// cannot choose the runtime's tiering, a method can).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static int ReadArray<T>(ReadOnlySpan<byte> text, ElementReader<T> read, Action<T> each, Utf8Strings strings, out LibraryError error)
        {
            try
            {
                var reader = new Utf8JsonReader(text);
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
                    throw new JsonException("expected an array, found " + reader.TokenType + ".");
                int count = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    T item;
                    try
                    {
                        item = read(ref reader, strings);
                    }
                    catch (InvalidOperationException e)
                    {
                        // A value of another type than expected (GetString on a number): a malformed answer.
                        throw new JsonException(e.Message, e);
                    }
                    each(item);
                    count++;
                }
                error = null;
                return count;
            }
            catch (Exception e) when (e is JsonException || e is DecoderFallbackException)
            {
                error = LibraryError.Of("protocol", "The library's answer could not be read: " + e.Message);
                return -1;
            }
        }

        /// <summary><see cref="ReadArray"/> with the module's own scanner: the same contract, four times as fast on user pages.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static int ScanArray<T>(ReadOnlySpan<byte> text, ScanReader<T> read, Action<T> each, Utf8Strings strings, out LibraryError error)
        {
            try
            {
                var scanner = new Utf8Scanner(text);
                scanner.BeginArray();
                int count = 0;
                bool first = true;
                while (scanner.NextElement(ref first))
                {
                    each(read(ref scanner, strings));
                    count++;
                }
                scanner.End();
                error = null;
                return count;
            }
            catch (Exception e) when (e is JsonException || e is DecoderFallbackException)
            {
                error = LibraryError.Of("protocol", "The library's answer could not be read: " + e.Message);
                return -1;
            }
        }

        /// <summary>
        /// The answer's text, and null; or the error: no answer at all, or the error JSON of a
        /// failed call. A bulk call's report (VCS_PARTIAL_FAILURE) is an answer where
        /// <paramref name="acceptReport"/> says so. May throw JsonException on a malformed error.
        /// </summary>
        private static LibraryError ErrorOf(VcsStatus status, IntPtr json, bool acceptReport, out ReadOnlySpan<byte> text)
        {
            text = default;
            if (json == IntPtr.Zero) return LibraryError.Of("internal", "The library returned no answer (status " + status + ").");
            text = MemoryMarshal.CreateReadOnlySpanFromNullTerminated((byte*)json);
            if (status == VcsStatus.Ok || (acceptReport && status == VcsStatus.PartialFailure)) return null;
            return JsonSerializer.Deserialize(text, WireJson.Default.LibraryError)
                ?? LibraryError.Of("internal", "The library failed with status " + status + ".");
        }

        // An answer this long (about 2,000 users) is worth giving the library's spent memory back for.
        private const int LargeAnswer = 1 << 20;
        private static bool cannotTrim;

        /// <summary>
        /// Gives the C heap's free memory back to the system (glibc's malloc_trim). After a large call
        /// the library's working memory (the pages it fetched, the records it built: about twice the
        /// answer) is freed but stays resident; without this, the managed objects read from the
        /// answer would come on top of it. Elsewhere (Windows, macOS, musl) nothing is done.
        /// </summary>
        private static void TrimNativeHeap()
        {
            if (cannotTrim || !OperatingSystem.IsLinux()) return;
            try
            {
                malloc_trim(UIntPtr.Zero);
            }
            catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException)
            {
                cannotTrim = true;
            }
        }

        [DllImport("libc", EntryPoint = "malloc_trim")]
        private static extern int malloc_trim(UIntPtr pad);

        /// <summary>
        /// A reference on the connection (every connection is a SafeHandle; no generic constraint,
        /// so that callers need none), released by the caller; false with a notConnected error when
        /// it was already closed.
        /// </summary>
        private static bool Hold(object connection, out SafeHandle handle, out LibraryError error)
        {
            handle = (SafeHandle)connection;
            bool held = false;
            try
            {
                handle.DangerousAddRef(ref held);
            }
            catch (ObjectDisposedException)
            {
            }
            error = held ? null : LibraryError.Of("notConnected", "The connection was closed (Disconnect-Vcs, Disconnect-Vcd or its runspace closed).");
            return held;
        }

        /// <summary>
        /// THE call wrapper: holds a reference on the connection across the native call and the
        /// read of its answer, so a Disconnect-Vcs or a runspace closing on another thread never
        /// frees the session while it is used; a connection already closed is a notConnected error.
        /// </summary>
        internal static T Call<THandle, T>(NativeCall<THandle> call, THandle connection, byte[] request, JsonTypeInfo<T> type, out LibraryError error)
        {
            if (!Hold(connection, out SafeHandle handle, out error)) return default;
            try
            {
                VcsStatus status = call(connection, request, out IntPtr json);
                using var answer = new NativeString(json);
                return Read(status, answer, type, out error);
            }
            finally
            {
                handle.DangerousRelease();
            }
        }

        /// <summary><see cref="Call"/> for an array answer read element by element (<see cref="ReadEach"/>).</summary>
        internal static int CallEach<THandle, T>(NativeCall<THandle> call, THandle connection, byte[] request, PageReader<T> read, Action<T> each, out LibraryError error)
        {
            if (!Hold(connection, out SafeHandle handle, out error)) return -1;
            try
            {
                VcsStatus status = call(connection, request, out IntPtr json);
                return ReadEach(status, json, read, each, out error);
            }
            finally
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Strings by their UTF-8 text, for values that repeat across one answer (role and service names,
    /// first names): each distinct value is decoded and allocated once, not once per user.
    /// </summary>
    internal sealed class Utf8Strings
    {
        // Past this many distinct values the data is not repetitive: decode without remembering.
        private const int Capacity = 4096;
        private readonly Dictionary<int, Entry> entries = new Dictionary<int, Entry>();
        private int count;

        private sealed class Entry
        {
            internal byte[] Utf8;
            internal string Value;
            internal Entry Next;
        }

        // Whole values that repeat (a user's role arrays): by their text, like the strings.
        private readonly Dictionary<int, Repeat> repeats = new Dictionary<int, Repeat>();
        private int repeatCount;

        private sealed class Repeat
        {
            internal byte[] Utf8;
            internal object Value;
            internal Repeat Next;
        }

        /// <summary>
        /// The next value, read by <paramref name="read"/> the first time its exact text is met and
        /// the same object after that. Only for values nobody changes in place: the users holding
        /// the same roles share one array (VcsUserImpl copies it for whoever reads it).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal T Repeated<T>(ref Utf8Scanner scanner, ScanReader<T> read) where T : class
        {
            Utf8Scanner ahead = scanner;
            int start = scanner.Position;
            scanner.Skip();
            ReadOnlySpan<byte> utf8 = scanner.Since(start);
            var hash = new HashCode();
            hash.AddBytes(utf8);
            int key = hash.ToHashCode();
            repeats.TryGetValue(key, out Repeat first);
            for (Repeat r = first; r != null; r = r.Next)
            {
                if (r.Value is T known && utf8.SequenceEqual(r.Utf8)) return known;
            }
            T value = read(ref ahead, this);
            if (value != null && repeatCount < Capacity)
            {
                repeats[key] = new Repeat { Utf8 = utf8.ToArray(), Value = value, Next = first };
                repeatCount++;
            }
            return value;
        }

        /// <summary>The string of this UTF-8 text (unescaped), shared with earlier equal values.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal string Get(ReadOnlySpan<byte> utf8)
        {
            var hash = new HashCode();
            hash.AddBytes(utf8);
            int key = hash.ToHashCode();
            entries.TryGetValue(key, out Entry first);
            for (Entry e = first; e != null; e = e.Next)
            {
                if (utf8.SequenceEqual(e.Utf8)) return e.Value;
            }
            // Invalid UTF-8 throws (DecoderFallbackException), as the readers' own strings do.
            string value = Utf8Scanner.Strict.GetString(utf8);
            if (count < Capacity)
            {
                entries[key] = new Entry { Utf8 = utf8.ToArray(), Value = value, Next = first };
                count++;
            }
            return value;
        }
    }

    /// <summary>Arrays of a page read with the scanner, allocated at their exact length.</summary>
    internal static class ScanArrays
    {
        private static readonly ScanReader<string> SharedString = (ref Utf8Scanner scanner, Utf8Strings strings) => scanner.String(strings);

        /// <summary>An array of strings (null for a JSON null), each shared with equal earlier values.</summary>
        internal static string[] Strings(ref Utf8Scanner scanner, Utf8Strings strings) => Of(ref scanner, strings, SharedString);

        /// <summary>An array (null for a JSON null), counted first on a copy of the scanner.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static T[] Of<T>(ref Utf8Scanner scanner, Utf8Strings strings, ScanReader<T> read)
        {
            if (scanner.TryNull()) return null;
            Utf8Scanner ahead = scanner;
            ahead.BeginArray();
            int length = 0;
            bool first = true;
            while (ahead.NextElement(ref first))
            {
                ahead.Skip();
                length++;
            }
            var items = new T[length];
            scanner.BeginArray();
            first = true;
            for (int i = 0; scanner.NextElement(ref first); i++) items[i] = read(ref scanner, strings);
            return items;
        }
    }
}
