using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace VcsNative
{
    /// <summary>
    /// The line and key (Email or Username column) of each data row of a sync file, for the None
    /// rows of -WhatIf only: the library plans from the file itself and lists only the rows that
    /// change. Records are split as the library splits them (quotes, doubled quotes, line breaks
    /// in quotes; a record's line is the one it starts on); a file it cannot read yields nothing,
    /// the library has already said why.
    /// </summary>
    internal static class SyncFileKeys
    {
        internal static List<(int Line, string Key)> Read(string path)
        {
            var keys = new List<(int, string)>();
            string text;
            try
            {
                text = File.ReadAllText(path, new UTF8Encoding(false));
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return keys;
            }
            int column = -1;
            foreach (var (line, fields) in Split(text.TrimStart('\uFEFF')))
            {
                if (fields.Count == 1 && (fields[0].Trim().Length == 0 || fields[0].StartsWith("#TYPE"))) continue;
                if (column < 0)
                {
                    // Cloud Director files are keyed by Username, CSP files by Email.
                    int username = fields.FindIndex(f => f.Trim().Equals("username", StringComparison.OrdinalIgnoreCase));
                    column = username >= 0 ? username : fields.FindIndex(f => f.Trim().Equals("email", StringComparison.OrdinalIgnoreCase));
                    if (column < 0) return keys;
                    continue;
                }
                if (column < fields.Count) keys.Add((line, fields[column].Trim()));
            }
            return keys;
        }

        private static IEnumerable<(int, List<string>)> Split(string text)
        {
            var fields = new List<string>();
            var cur = new StringBuilder();
            bool quoted = false;
            int line = 1, start = 1;
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                bool next = i + 1 < text.Length;
                if (c == '"' && quoted && next && text[i + 1] == '"') { cur.Append('"'); i++; }
                else if (c == '"' && quoted) quoted = false;
                else if (c == '"' && cur.ToString().Trim().Length == 0) { cur.Clear(); quoted = true; }
                else if (c == ',' && !quoted) { fields.Add(cur.ToString()); cur.Clear(); }
                else if (c == '\r' && !quoted && next && text[i + 1] == '\n') { }
                else if (c == '\n' && !quoted)
                {
                    fields.Add(cur.ToString());
                    cur.Clear();
                    yield return (start, fields);
                    fields = new List<string>();
                    start = ++line;
                }
                else
                {
                    if (c == '\n') line++;
                    cur.Append(c);
                }
            }
            if (cur.Length > 0 || fields.Count > 0)
            {
                fields.Add(cur.ToString());
                yield return (start, fields);
            }
        }
    }
}
