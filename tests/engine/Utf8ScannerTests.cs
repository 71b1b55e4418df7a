using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;
using Xunit;

namespace VcsNative.Engine.Tests
{
    /// <summary>
    /// The user listing's own JSON reader (Utf8Scanner) reads what System.Text.Json reads and
    /// refuses what it refuses: the library's pages are checked byte by byte either way.
    /// </summary>
    public class Utf8ScannerTests
    {
        /// <summary>Every string of a JSON text, in order, as the scanner reads them (values and names).</summary>
        private static List<string> ScannedStrings(string json)
        {
            var found = new List<string>();
            var scanner = new Utf8Scanner(Encoding.UTF8.GetBytes(json));
            Walk(ref scanner, found);
            scanner.End();
            return found;
        }

        private static void Walk(ref Utf8Scanner scanner, List<string> found)
        {
            // The scanner has no token API; probe the value kinds the way the readers do.
            Utf8Scanner probe = scanner;
            try
            {
                probe.BeginArray();
            }
            catch (JsonException)
            {
                probe = scanner;
                try
                {
                    probe.BeginObject();
                }
                catch (JsonException)
                {
                    probe = scanner;
                    if (probe.TryNull())
                    {
                        scanner = probe;
                        return;
                    }
                    int start = scanner.Position;
                    probe = scanner;
                    try
                    {
                        found.Add(probe.String());
                        scanner = probe;
                    }
                    catch (JsonException e) when (e.Message.StartsWith("expected a string"))
                    {
                        // A number or a literal.
                        scanner.Skip();
                        found.Add("#" + Encoding.UTF8.GetString(scanner.Since(start)).Trim());
                    }
                    return;
                }
                scanner.BeginObject();
                bool firstProperty = true;
                while (scanner.NextProperty(ref firstProperty, out ReadOnlySpan<byte> name))
                {
                    found.Add("name:" + Encoding.UTF8.GetString(name));
                    Walk(ref scanner, found);
                }
                return;
            }
            scanner.BeginArray();
            bool first = true;
            while (scanner.NextElement(ref first)) Walk(ref scanner, found);
        }

        /// <summary>The same, as System.Text.Json reads them.</summary>
        private static List<string> ReferenceStrings(string json)
        {
            var found = new List<string>();
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        found.Add("name:" + Encoding.UTF8.GetString(reader.ValueSpan));
                        break;
                    case JsonTokenType.String:
                        found.Add(reader.GetString());
                        break;
                    case JsonTokenType.Number:
                    case JsonTokenType.True:
                    case JsonTokenType.False:
                        found.Add("#" + Encoding.UTF8.GetString(reader.ValueSpan));
                        break;
                }
            }
            return found;
        }

        [Theory]
        [InlineData("[]")]
        [InlineData(" [ ] ")]
        [InlineData("[\"plain\", \"zoë øster\", \"日本語\", \"\"]")]
        [InlineData("[\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"]")]
        [InlineData("[\"\\u0041\\u00e9\\u20AC\", \"\\ud83d\\ude00 smile\"]")]
        [InlineData("{\"id\": \"x\", \"nested\": {\"a\": [1, -2.5, 3e10, 0, 0.0, -0E+2, true, false, null, {}, []]}, \"s\": \"v\"}")]
        [InlineData("[{\"serviceId\":\"s1\",\"roles\":[\"r1\",\"r2\"]},{\"serviceId\":\"s2\",\"roles\":null}]")]
        [InlineData("\n\t[\r\n \"spaced\" ,\n\t\"out\"\r]\n")]
        public void Reads_what_System_Text_Json_reads(string json)
        {
            Assert.Equal(ReferenceStrings(json), ScannedStrings(json));
        }

        [Theory]
        [InlineData("", "end of the text")]
        [InlineData("[", "end of the text")]
        [InlineData("[\"a\" \"b\"]", "expected ',' or ']'")]
        [InlineData("[\"a\",]", "trailing comma")]
        [InlineData("{\"a\": 1,}", "expected a string")]
        [InlineData("{\"a\" 1}", "expected ':'")]
        [InlineData("{a: 1}", "expected a string")]
        [InlineData("[\"unterminated]", "unterminated string")]
        [InlineData("[\"bad \\x escape\"]", "unknown escape")]
        [InlineData("[\"bad \\u12G4\"]", "four hex digits")]
        [InlineData("[\"lone \\ud800 surrogate\"]", "lone surrogate")]
        [InlineData("[\"tab\tinside\"]", "control character")]
        [InlineData("[01]", "leading zero")]
        [InlineData("[1.]", "after '.'")]
        [InlineData("[1e]", "exponent")]
        [InlineData("[-]", "expected a value")]
        [InlineData("[nul]", "expected a value")]
        [InlineData("[tru]", "expected a value")]
        [InlineData("[] []", "text after the value")]
        public void Refuses_malformed_text_naming_the_problem_and_the_offset(string json, string problem)
        {
            Assert.ThrowsAny<Exception>(() => ReferenceStrings(json));
            JsonException e = Assert.ThrowsAny<JsonException>(() => ScannedStrings(json));
            Assert.Contains(problem, e.Message);
            Assert.Matches(@"at byte \d+\.$", e.Message);
        }

        [Fact]
        public void Refuses_invalid_UTF8_and_nesting_past_its_limit()
        {
            byte[] invalid = { (byte)'[', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)']' };
            JsonException e = Assert.ThrowsAny<JsonException>(() =>
            {
                var scanner = new Utf8Scanner(invalid);
                scanner.BeginArray();
                bool first = true;
                while (scanner.NextElement(ref first)) scanner.String();
            });
            Assert.Contains("invalid UTF-8", e.Message);

            string deep = new string('[', 65) + new string(']', 65);
            Assert.Contains("nested deeper than 64", Assert.ThrowsAny<JsonException>(() => ScannedStrings(deep)).Message);
            string allowed = new string('[', 64) + new string(']', 64);
            Assert.Empty(ScannedStrings(allowed));
        }

        [Fact]
        public void A_users_email_is_its_own_text_unless_it_is_the_username()
        {
            var users = new List<VMware.CloudServices.Impl.V1.CmdletOutput.VcsUserImpl>();
            string page = "[{\"id\": \"1\", \"username\": \"a@x.example\", \"email\": \"a@x.example\"},"
                + " {\"id\": \"2\", \"username\": \"q\\\"uote@x.example\", \"email\": \"\"},"
                + " {\"id\": \"3\", \"username\": \"b@x.example\", \"email\": \"other@x.example\"},"
                + " {\"id\": \"4\", \"username\": \"c@x.example\", \"email\": null}]";
            int n = NativeAnswer.ScanArray(Encoding.UTF8.GetBytes(page), VMware.CloudServices.Impl.V1.CmdletOutput.VcsUserImpl.Read, users.Add, new Utf8Strings(), out LibraryError error);
            Assert.Null(error);
            Assert.Equal(4, n);
            Assert.Same(users[0].Username, users[0].Email);
            Assert.Equal("q\"uote@x.example", users[1].Username);
            Assert.Equal("", users[1].Email);
            Assert.Equal("other@x.example", users[2].Email);
            Assert.Null(users[3].Email);
        }

        [Fact]
        public void A_malformed_page_is_a_protocol_error_not_a_crash()
        {
            var read = new List<string>();
            int n = NativeAnswer.ScanArray(Encoding.UTF8.GetBytes("[{\"id\": \"a\"}, {\"id\": \"b\" \"x\"}]"),
                (ref Utf8Scanner s, Utf8Strings strings) => VMware.CloudServices.Impl.V1.CmdletOutput.VcsUserImpl.Read(ref s, strings).Id,
                read.Add, new Utf8Strings(), out LibraryError error);
            Assert.Equal(-1, n);
            Assert.Equal("protocol", error.Category);
            Assert.Contains("expected ',' or '}'", error.Message);
            Assert.Equal(new[] { "a" }, read);
        }
    }
}
