using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Security;
using System.Text.Json;

namespace VcsNative
{
    /// <summary>
    /// API tokens saved by Connect-Vcs -SaveApiToken, one per server, in a file only this user may
    /// read: on Windows protected by DPAPI (ConvertFrom-SecureString), elsewhere mode 0600 in a 0700
    /// folder under $XDG_CONFIG_HOME (or ~/.config)/vcs-native/credentials.json.
    /// </summary>
    internal static class SavedTokens
    {
        internal static string FilePath
        {
            get
            {
                string root = RuntimeInformation.IsOSPlatform(OSPlatform.Windows)
                    ? Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData)
                    : Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is string xdg && xdg.Length > 0
                        ? xdg
                        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
                return Path.Combine(root, "vcs-native", "credentials.json");
            }
        }

        internal static IReadOnlyList<string> Servers() => Read().Keys.OrderBy(k => k, StringComparer.OrdinalIgnoreCase).ToList();

        internal static SecureString Find(PSCmdlet cmdlet, string server)
        {
            if (!Read().TryGetValue(server, out string stored)) return null;
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return ToSecure(stored);
            return cmdlet.InvokeCommand.InvokeScript("ConvertTo-SecureString -String $args[0]", stored)
                .Select(o => o.BaseObject).OfType<SecureString>().FirstOrDefault();
        }

        internal static void Save(PSCmdlet cmdlet, string server, SecureString token)
        {
            Dictionary<string, string> saved = Read();
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                saved[server] = cmdlet.InvokeCommand.InvokeScript("ConvertFrom-SecureString -SecureString $args[0]", token)
                    .Select(o => o.BaseObject as string).First();
            }
            else
            {
                IntPtr p = Marshal.SecureStringToGlobalAllocUnicode(token);
                try { saved[server] = Marshal.PtrToStringUni(p, token.Length); }
                finally { Marshal.ZeroFreeGlobalAllocUnicode(p); }
            }
            string file = FilePath;
            string dir = Path.GetDirectoryName(file);
            Directory.CreateDirectory(dir);
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                if (File.Exists(file)) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            using (var stream = new FileStream(file, options))
            using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                writer.WriteStartObject();
                foreach (var pair in saved) writer.WriteString(pair.Key, pair.Value);
                writer.WriteEndObject();
            }
        }

        private static Dictionary<string, string> Read()
        {
            var saved = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            string file = FilePath;
            if (!File.Exists(file)) return saved;
            using (JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(file)))
            {
                if (doc.RootElement.ValueKind != JsonValueKind.Object) return saved;
                foreach (JsonProperty p in doc.RootElement.EnumerateObject())
                {
                    if (p.Value.ValueKind == JsonValueKind.String) saved[p.Name] = p.Value.GetString();
                }
            }
            return saved;
        }

        private static SecureString ToSecure(string text)
        {
            var secure = new SecureString();
            foreach (char c in text) secure.AppendChar(c);
            secure.MakeReadOnly();
            return secure;
        }
    }
}
