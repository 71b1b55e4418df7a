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
        /// <summary>The buffer being written (tests check that a grown buffer leaves nothing behind).</summary>
        internal SecretBuffer Buffer => buffer;

        private readonly SecretBuffer buffer = new SecretBuffer(256);
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
            buffer.Wipe();
            if (bytes != null) Array.Clear(bytes, 0, bytes.Length);
        }
    }

    /// <summary>
    /// A growable byte buffer for Utf8JsonWriter that wipes what it leaves: the old array when it
    /// grows (ArrayBufferWriter would leave a copy of a secret to the garbage collector), and the
    /// current one on <see cref="Wipe"/>.
    /// </summary>
    internal sealed class SecretBuffer : IBufferWriter<byte>
    {
        private byte[] array;
        private int written;

        internal SecretBuffer(int capacity)
        {
            array = new byte[capacity];
        }

        internal int WrittenCount => written;
        internal ReadOnlySpan<byte> WrittenSpan => new ReadOnlySpan<byte>(array, 0, written);

        /// <summary>The array now in use.</summary>
        internal byte[] Array => array;

        public void Advance(int count)
        {
            if (count < 0 || written + count > array.Length) throw new ArgumentOutOfRangeException(nameof(count));
            written += count;
        }

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            Grow(sizeHint);
            return new Memory<byte>(array, written, array.Length - written);
        }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            Grow(sizeHint);
            return new Span<byte>(array, written, array.Length - written);
        }

        private void Grow(int sizeHint)
        {
            int need = Math.Max(sizeHint, 1);
            if (array.Length - written >= need) return;
            var bigger = new byte[Math.Max(array.Length * 2, written + need)];
            System.Array.Copy(array, bigger, written);
            System.Array.Clear(array);
            array = bigger;
        }

        internal void Wipe()
        {
            System.Array.Clear(array);
            written = 0;
        }
    }
}
