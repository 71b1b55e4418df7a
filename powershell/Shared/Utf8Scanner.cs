using System;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace VcsNative
{
    /// <summary>
    /// A strict forward-only reader of one JSON text in UTF-8, for the user listing's hot path
    /// (Get-VcsUser, Export-VcsUser: 100,000 users are 50 MB of pages). Utf8JsonReader costs about
    /// 3.5 µs a user there, most of it in generic search code that a fresh session runs unoptimized
    /// for the first seconds; this reader is the module's own code, compiled optimized from the
    /// first call, and reads a page four times as fast (bench/README.md). It checks what it reads:
    /// structure, string escapes, control characters, numbers, literals, nesting depth and UTF-8;
    /// anything else is a JsonException naming the byte offset.
    /// </summary>
    internal ref struct Utf8Scanner
    {
        private const int MaxDepth = 64;
        // Invalid UTF-8 is an error, as in Utf8JsonReader, not replaced with U+FFFD.
        internal static readonly UTF8Encoding Strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

        private readonly ReadOnlySpan<byte> text;
        private int pos;
        private int depth;

        internal Utf8Scanner(ReadOnlySpan<byte> text)
        {
            this.text = text;
            pos = 0;
            depth = 0;
        }

        /// <summary>The offset of the next byte to read.</summary>
        internal int Position => pos;

        /// <summary>The text from <paramref name="start"/> to the current position (a value just passed over).</summary>
        internal ReadOnlySpan<byte> Since(int start) => text.Slice(start, pos - start);

        /// <summary>The next byte that is not whitespace (JSON's four kinds), which is left unread.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private byte Peek()
        {
            SkipWhitespace();
            if (pos < text.Length) return text[pos];
            throw Fail("unexpected end of the text");
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void SkipWhitespace()
        {
            while (pos < text.Length && (text[pos] == (byte)' ' || text[pos] == (byte)'\n' || text[pos] == (byte)'\r' || text[pos] == (byte)'\t')) pos++;
        }

        private JsonException Fail(string what) => new JsonException(what + " at byte " + pos + ".");

        /// <summary>The next value is an array: its '[' is consumed.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal void BeginArray()
        {
            if (Peek() != (byte)'[') throw Fail("expected an array");
            pos++;
            Enter();
        }

        /// <summary>The next value is an object: its '{' is consumed.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal void BeginObject()
        {
            if (Peek() != (byte)'{') throw Fail("expected an object");
            pos++;
            Enter();
        }

        private void Enter()
        {
            if (++depth > MaxDepth) throw Fail("nested deeper than " + MaxDepth + " levels");
        }

        /// <summary>In an array: true before each element, false after the last (its ']' consumed).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal bool NextElement(ref bool first)
        {
            byte c = Peek();
            if (c == (byte)']')
            {
                pos++;
                depth--;
                return false;
            }
            if (!first)
            {
                if (c != (byte)',') throw Fail("expected ',' or ']'");
                pos++;
                if (Peek() == (byte)']') throw Fail("a trailing comma");
            }
            first = false;
            return true;
        }

        /// <summary>
        /// In an object: true with the next property's name (as it is written, escapes and all; the
        /// ':' consumed), false after the last (its '}' consumed).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal bool NextProperty(ref bool first, out ReadOnlySpan<byte> name)
        {
            byte c = Peek();
            if (c == (byte)'}')
            {
                pos++;
                depth--;
                name = default;
                return false;
            }
            if (!first)
            {
                if (c != (byte)',') throw Fail("expected ',' or '}'");
                pos++;
            }
            first = false;
            name = RawString(out _);
            if (Peek() != (byte)':') throw Fail("expected ':'");
            pos++;
            return true;
        }

        /// <summary>A JSON null, consumed; false, nothing consumed, for any other value.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal bool TryNull()
        {
            if (Peek() != (byte)'n') return false;
            Literal("null"u8);
            return true;
        }

        /// <summary>A string value (null for a JSON null).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal string String()
        {
            if (TryNull()) return null;
            ReadOnlySpan<byte> raw = RawString(out bool escaped);
            return escaped ? Unescape(raw) : Decode(raw);
        }

        /// <summary>A string value shared with equal earlier ones (null for a JSON null).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal string String(Utf8Strings shared)
        {
            if (TryNull()) return null;
            ReadOnlySpan<byte> raw = RawString(out bool escaped);
            return escaped ? Unescape(raw) : shared.Get(raw);
        }

        /// <summary>A string value (null for a JSON null), and its UTF-8 text when it has no escapes (else empty).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal string String(out ReadOnlySpan<byte> plain)
        {
            plain = default;
            if (TryNull()) return null;
            ReadOnlySpan<byte> raw = RawString(out bool escaped);
            if (escaped) return Unescape(raw);
            plain = raw;
            return Decode(raw);
        }

        /// <summary>The string of a plain (unescaped) text this scanner gave; invalid UTF-8 is a JsonException.</summary>
        internal string Decode(ReadOnlySpan<byte> utf8)
        {
            try
            {
                return Strict.GetString(utf8);
            }
            catch (DecoderFallbackException)
            {
                throw Fail("invalid UTF-8 in a string");
            }
        }

        /// <summary>A string value's text between its quotes, unescaped, or false (nothing consumed) for an escaped one or a null.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal bool TryPlainString(out ReadOnlySpan<byte> raw)
        {
            int start = pos;
            if (Peek() == (byte)'"')
            {
                raw = RawString(out bool escaped);
                if (!escaped) return true;
            }
            pos = start;
            raw = default;
            return false;
        }

        /// <summary>Any value, checked and passed over.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal void Skip()
        {
            switch (Peek())
            {
                case (byte)'"':
                    RawString(out _);
                    return;
                case (byte)'n':
                    Literal("null"u8);
                    return;
                case (byte)'t':
                    Literal("true"u8);
                    return;
                case (byte)'f':
                    Literal("false"u8);
                    return;
                case (byte)'[':
                {
                    BeginArray();
                    bool first = true;
                    while (NextElement(ref first)) Skip();
                    return;
                }
                case (byte)'{':
                {
                    BeginObject();
                    bool first = true;
                    while (NextProperty(ref first, out _)) Skip();
                    return;
                }
                default:
                    Number();
                    return;
            }
        }

        /// <summary>Nothing but whitespace is left.</summary>
        internal void End()
        {
            SkipWhitespace();
            if (pos != text.Length) throw Fail("text after the value");
        }

        /// <summary>The text between a string's quotes, escapes checked but left in place (<paramref name="escaped"/>).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private ReadOnlySpan<byte> RawString(out bool escaped)
        {
            if (Peek() != (byte)'"') throw Fail("expected a string");
            int start = ++pos;
            escaped = false;
            while (pos < text.Length)
            {
                byte c = text[pos];
                if (c == (byte)'"')
                {
                    ReadOnlySpan<byte> s = text.Slice(start, pos - start);
                    pos++;
                    return s;
                }
                if (c < 0x20) throw Fail("a control character in a string");
                if (c == (byte)'\\')
                {
                    escaped = true;
                    if (++pos >= text.Length) break;
                    byte e = text[pos];
                    if (e == (byte)'u')
                    {
                        if (pos + 4 >= text.Length) break;
                        for (int i = 1; i <= 4; i++)
                        {
                            if (Hex(text[pos + i]) < 0) throw Fail("a \\u escape without four hex digits");
                        }
                        pos += 4;
                    }
                    else if (e != (byte)'"' && e != (byte)'\\' && e != (byte)'/' && e != (byte)'b' && e != (byte)'f' && e != (byte)'n' && e != (byte)'r' && e != (byte)'t')
                    {
                        throw Fail("an unknown escape '\\" + (char)e + "'");
                    }
                }
                pos++;
            }
            throw Fail("an unterminated string");
        }

        private static int Hex(byte c) =>
            c >= (byte)'0' && c <= (byte)'9' ? c - '0' : c >= (byte)'a' && c <= (byte)'f' ? c - 'a' + 10 : c >= (byte)'A' && c <= (byte)'F' ? c - 'A' + 10 : -1;

        /// <summary>An escaped string's value (escapes already checked by RawString); \u pairs make one character.</summary>
        private string Unescape(ReadOnlySpan<byte> raw)
        {
            var value = new StringBuilder(raw.Length);
            int i = 0;
            while (i < raw.Length)
            {
                int backslash = raw.Slice(i).IndexOf((byte)'\\');
                if (backslash < 0)
                {
                    value.Append(Decode(raw.Slice(i)));
                    break;
                }
                value.Append(Decode(raw.Slice(i, backslash)));
                i += backslash + 1;
                byte e = raw[i++];
                switch (e)
                {
                    case (byte)'b': value.Append('\b'); break;
                    case (byte)'f': value.Append('\f'); break;
                    case (byte)'n': value.Append('\n'); break;
                    case (byte)'r': value.Append('\r'); break;
                    case (byte)'t': value.Append('\t'); break;
                    case (byte)'u':
                        value.Append((char)(Hex(raw[i]) << 12 | Hex(raw[i + 1]) << 8 | Hex(raw[i + 2]) << 4 | Hex(raw[i + 3])));
                        i += 4;
                        break;
                    default: value.Append((char)e); break;
                }
            }
            string s = value.ToString();
            // A lone surrogate from \uD800 and the like is not a character (Utf8JsonReader refuses it too).
            for (int k = 0; k < s.Length; k++)
            {
                if (char.IsHighSurrogate(s[k]) && k + 1 < s.Length && char.IsLowSurrogate(s[k + 1])) k++;
                else if (char.IsSurrogate(s[k])) throw Fail("a lone surrogate in a string");
            }
            return s;
        }

        private void Literal(ReadOnlySpan<byte> word)
        {
            if (!text.Slice(pos).StartsWith(word)) throw Fail("expected a value");
            pos += word.Length;
        }

        private void Number()
        {
            if (pos < text.Length && text[pos] == (byte)'-') pos++;
            int digits = pos;
            while (pos < text.Length && (uint)(text[pos] - '0') <= 9) pos++;
            if (pos == digits) throw Fail("expected a value");
            if (text[digits] == (byte)'0' && pos - digits > 1) throw Fail("a number with a leading zero");
            if (pos < text.Length && text[pos] == (byte)'.')
            {
                int fraction = ++pos;
                while (pos < text.Length && (uint)(text[pos] - '0') <= 9) pos++;
                if (pos == fraction) throw Fail("a number without digits after '.'");
            }
            if (pos < text.Length && (text[pos] | 0x20) == (byte)'e')
            {
                pos++;
                if (pos < text.Length && (text[pos] == (byte)'+' || text[pos] == (byte)'-')) pos++;
                int exponent = pos;
                while (pos < text.Length && (uint)(text[pos] - '0') <= 9) pos++;
                if (pos == exponent) throw Fail("a number without an exponent");
            }
        }
    }
}
