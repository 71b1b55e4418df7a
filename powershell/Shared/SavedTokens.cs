using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Security;
using System.Text;
using System.Text.Json;

namespace VcsNative
{
    /// <summary>
    /// API tokens saved by Connect-Vcs -SaveApiToken, one per server, in
    /// $XDG_CONFIG_HOME (or ~/.config)/vcs-native/credentials.json: the library's store
    /// (vcs_saved_token_*), which writes atomically under a lock, 0600, refuses symlinks and names
    /// a corrupt file, and shares the file with `vcs connect --save`. On Windows the library
    /// refuses plain files, so there the module keeps its DPAPI file (ConvertFrom-SecureString).
    /// The file is always passed: .NET's environment changes are not seen by the library.
    /// </summary>
    internal static class SavedTokens
    {
        private static bool UseDpapi => RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        internal static string FilePath
        {
            get
            {
                string root = UseDpapi
                    ? Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData)
                    : Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is string xdg && xdg.Length > 0
                        ? xdg
                        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
                return Path.Combine(root, "vcs-native", "credentials.json");
            }
        }

        /// <summary>The servers with a saved token, sorted; a corrupt store is an error naming the file.</summary>
        internal static IReadOnlyList<string> Servers(out LibraryError error)
        {
            error = null;
            if (UseDpapi) return Dpapi.Read(out error).Keys.OrderBy(k => k, StringComparer.OrdinalIgnoreCase).ToList();
            using var request = new RequestJson().String("file", FilePath);
            TokenList list = Library(SavedTokenNativeMethods.vcs_saved_tokens_list, request, TokenJson.Default.TokenList, out error);
            if (error != null) return Array.Empty<string>();
            return (list?.Tokens ?? Array.Empty<TokenListEntry>()).Select(t => t.Server).OrderBy(k => k, StringComparer.OrdinalIgnoreCase).ToList();
        }

        /// <summary>The token saved for a server, or null when none is; a store that cannot be read is an error.</summary>
        internal static SecureString Find(PSCmdlet cmdlet, string server, out LibraryError error)
        {
            if (UseDpapi)
            {
                if (!Dpapi.Read(out error).TryGetValue(server, out string stored)) return null;
                return cmdlet.InvokeCommand.InvokeScript("ConvertTo-SecureString -String $args[0]", stored)
                    .Select(o => o.BaseObject).OfType<SecureString>().FirstOrDefault();
            }
            using var request = new RequestJson().String("server", server).String("file", FilePath);
            SecureString token = LoadSecure(request, out error);
            if (error != null && error.Category == "notFound") error = null;
            return token;
        }

        /// <summary>Saves the token; false with <paramref name="error"/> (naming the file) when the store refuses.</summary>
        internal static bool Save(PSCmdlet cmdlet, string server, SecureString token, out LibraryError error)
        {
            if (UseDpapi) return Dpapi.Save(cmdlet, server, token, out error);
            using var request = new RequestJson().String("server", server).Secret("apiToken", token).String("file", FilePath);
            Library(SavedTokenNativeMethods.vcs_saved_token_save, request, TokenJson.Default.JsonElement, out error);
            return error == null;
        }

        private static T Library<T>(SavedTokenCall call, RequestJson request, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, out LibraryError error)
        {
            VcsStatus status = call(request.ToBytes(), out IntPtr json);
            using var answer = new NativeString(json);
            return Answer(status, answer, type, out error);
        }

        /// <summary>The answer, or the error with the store's file named in it.</summary>
        private static T Answer<T>(VcsStatus status, NativeString answer, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, out LibraryError error)
        {
            T value = NativeAnswer.Read(status, answer, type, out error);
            if (error != null && error.Message != null && error.Category != "notFound" && error.Message.IndexOf(FilePath, StringComparison.Ordinal) < 0)
                error.Message = "The saved-token store " + FilePath + ": " + error.Message;
            return value;
        }

        /// <summary>vcs_saved_token_load's {"server", "apiToken"}, the token read straight into a SecureString and the answer wiped.</summary>
        private static unsafe SecureString LoadSecure(RequestJson request, out LibraryError error)
        {
            VcsStatus status = SavedTokenNativeMethods.vcs_saved_token_load(request.ToBytes(), out IntPtr json);
            using var answer = new NativeString(json);
            if (status != VcsStatus.Ok)
            {
                Answer(status, answer, TokenJson.Default.JsonElement, out error);
                return null;
            }
            error = null;
            var text = new ReadOnlySpan<byte>((void*)answer.Address, Strlen(answer.Address));
            try
            {
                var reader = new Utf8JsonReader(text);
                while (reader.Read())
                {
                    if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("apiToken") && reader.Read() && reader.TokenType == JsonTokenType.String)
                    {
                        char[] chars = new char[reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length];
                        try
                        {
                            int n = reader.CopyString(chars);
                            var secure = new SecureString();
                            for (int i = 0; i < n; i++) secure.AppendChar(chars[i]);
                            secure.MakeReadOnly();
                            return secure;
                        }
                        finally
                        {
                            Array.Clear(chars);
                        }
                    }
                }
                return null;
            }
            catch (JsonException e)
            {
                error = LibraryError.Of("protocol", "The library's saved-token answer could not be read: " + e.Message);
                return null;
            }
            finally
            {
                // The answer held the token in clear: wipe it before it goes back to the library.
                new Span<byte>((void*)answer.Address, text.Length).Clear();
            }
        }

        private static unsafe int Strlen(IntPtr p)
        {
            byte* b = (byte*)p;
            int n = 0;
            while (b[n] != 0) n++;
            return n;
        }

        /// <summary>Windows only: the module's DPAPI-protected file (the library refuses plain files there).</summary>
        private static class Dpapi
        {
            internal static Dictionary<string, string> Read(out LibraryError error)
            {
                error = null;
                var saved = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                string file = FilePath;
                try
                {
                    if (!File.Exists(file)) return saved;
                    using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(file));
                    if (doc.RootElement.ValueKind != JsonValueKind.Object) return saved;
                    foreach (JsonProperty p in doc.RootElement.EnumerateObject())
                    {
                        if (p.Value.ValueKind == JsonValueKind.String) saved[p.Name] = p.Value.GetString();
                    }
                }
                catch (Exception e) when (e is JsonException || e is IOException || e is UnauthorizedAccessException)
                {
                    error = LibraryError.Of("invalidArgument", "The saved-token store " + file + " cannot be read: " + e.Message);
                }
                return saved;
            }

            internal static bool Save(PSCmdlet cmdlet, string server, SecureString token, out LibraryError error)
            {
                Dictionary<string, string> saved = Read(out error);
                if (error != null) return false;
                saved[server] = cmdlet.InvokeCommand.InvokeScript("ConvertFrom-SecureString -SecureString $args[0]", token)
                    .Select(o => o.BaseObject as string).First();
                string file = FilePath;
                try
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(file));
                    string temp = file + ".tmp";
                    using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write))
                    using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
                    {
                        writer.WriteStartObject();
                        foreach (var pair in saved) writer.WriteString(pair.Key, pair.Value);
                        writer.WriteEndObject();
                    }
                    File.Move(temp, file, overwrite: true);
                    return true;
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    error = LibraryError.Of("permission", "The saved-token store " + file + " cannot be written: " + e.Message);
                    return false;
                }
            }
        }
    }

    internal delegate VcsStatus SavedTokenCall(byte[] json, out IntPtr outJson);

    /// <summary>vcs_saved_tokens_list's answer.</summary>
    internal sealed class TokenList
    {
        public string Backend { get; set; }
        public string Location { get; set; }
        public TokenListEntry[] Tokens { get; set; }
    }

    [System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
    [System.Text.Json.Serialization.JsonSerializable(typeof(TokenList))]
    [System.Text.Json.Serialization.JsonSerializable(typeof(JsonElement))]
    internal sealed partial class TokenJson : System.Text.Json.Serialization.JsonSerializerContext
    {
    }

    internal sealed class TokenListEntry
    {
        public string Server { get; set; }
        public string ApiTokenPreview { get; set; }
    }
}
