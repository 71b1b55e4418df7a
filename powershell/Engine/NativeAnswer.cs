using System;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace VcsNative
{
    /// <summary>A function of the C ABI that takes a connection (CSP or Cloud Director) and a JSON argument.</summary>
    internal delegate VcsStatus NativeCall<THandle>(THandle connection, byte[] json, out IntPtr outJson);

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
            try
            {
                if (json == IntPtr.Zero)
                {
                    error = LibraryError.Of("internal", "The library returned no answer (status " + status + ").");
                    return default;
                }
                ReadOnlySpan<byte> text = MemoryMarshal.CreateReadOnlySpanFromNullTerminated((byte*)json);
                if (status == VcsStatus.Ok || status == VcsStatus.PartialFailure)
                {
                    error = null;
                    return JsonSerializer.Deserialize(text, type);
                }
                error = JsonSerializer.Deserialize(text, WireJson.Default.LibraryError)
                    ?? LibraryError.Of("internal", "The library failed with status " + status + ".");
                return default;
            }
            catch (JsonException e)
            {
                error = LibraryError.Of("protocol", "The library's answer could not be read: " + e.Message);
                return default;
            }
            finally
            {
                Vcs.Free(json);
            }
        }

        internal static T Call<THandle, T>(NativeCall<THandle> call, THandle connection, byte[] request, JsonTypeInfo<T> type, out LibraryError error)
        {
            VcsStatus status = call(connection, request, out IntPtr json);
            return Read(status, json, type, out error);
        }
    }
}
