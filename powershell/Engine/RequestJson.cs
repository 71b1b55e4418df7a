using System;
using System.Buffers;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Security;
using System.Text.Json;

namespace VcsNative
{
    /// <summary>
    /// Writes one JSON object for the library as NUL-terminated UTF-8. Absent values are left out.
    /// Secrets go from a SecureString straight into the buffer, which is wiped after the call.
    /// </summary>
    internal sealed class RequestJson : IDisposable
    {
        private readonly ArrayBufferWriter<byte> buffer = new ArrayBufferWriter<byte>(256);
        private readonly Utf8JsonWriter writer;
        private byte[] bytes;

        internal RequestJson()
        {
            writer = new Utf8JsonWriter(buffer);
            writer.WriteStartObject();
        }

        internal Utf8JsonWriter Writer => writer;

        internal RequestJson String(string name, string value)
        {
            if (value != null) writer.WriteString(name, value);
            return this;
        }

        internal RequestJson Strings(string name, IEnumerable<string> values)
        {
            if (values == null) return this;
            writer.WriteStartArray(name);
            foreach (string v in values) writer.WriteStringValue(v);
            writer.WriteEndArray();
            return this;
        }

        internal RequestJson Bool(string name, bool value)
        {
            writer.WriteBoolean(name, value);
            return this;
        }

        internal RequestJson Bool(string name, bool? value)
        {
            if (value.HasValue) writer.WriteBoolean(name, value.Value);
            return this;
        }

        internal RequestJson Int(string name, int? value)
        {
            if (value.HasValue) writer.WriteNumber(name, value.Value);
            return this;
        }

        internal unsafe RequestJson Secret(string name, SecureString value)
        {
            if (value == null) return this;
            IntPtr p = Marshal.SecureStringToGlobalAllocUnicode(value);
            try
            {
                writer.WriteString(name, new ReadOnlySpan<char>((void*)p, value.Length));
            }
            finally
            {
                Marshal.ZeroFreeGlobalAllocUnicode(p);
            }
            return this;
        }

        /// <summary>The finished object, NUL-terminated. Valid until Dispose.</summary>
        internal byte[] ToBytes()
        {
            if (bytes != null) return bytes;
            writer.WriteEndObject();
            writer.Flush();
            bytes = new byte[buffer.WrittenCount + 1];
            buffer.WrittenSpan.CopyTo(bytes);
            return bytes;
        }

        /// <summary>Wipes every copy of the request: it may hold a secret.</summary>
        public void Dispose()
        {
            writer.Dispose();
            buffer.Clear();
            if (bytes != null) Array.Clear(bytes, 0, bytes.Length);
        }
    }
}
