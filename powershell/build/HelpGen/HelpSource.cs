using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace VcsNative.HelpGen
{
    /// <summary>A place in a help source file, for error messages an editor can jump to.</summary>
    internal readonly record struct SourceLine(string File, int Line)
    {
        public override string ToString() => File + "(" + Line + ")";
    }

    internal sealed class ParameterHelp
    {
        public string Name { get; init; }
        public SourceLine At { get; init; }
        public List<string> Description { get; } = new List<string>();
        public string DefaultValue { get; set; }
    }

    internal sealed class OutputHelp
    {
        public string TypeName { get; init; }
        public SourceLine At { get; init; }
        public List<string> Description { get; } = new List<string>();
    }

    internal sealed class ExampleHelp
    {
        public string Title { get; init; }
        public SourceLine At { get; init; }
        public string Code { get; set; }
        public List<string> Remarks { get; } = new List<string>();
    }

    /// <summary>
    /// The text of one command's help, read from powershell/help/&lt;Command&gt;.md:
    /// <code>
    /// # Get-VcsUser
    /// ## SYNOPSIS            one paragraph
    /// ## DESCRIPTION         paragraphs
    /// ## PARAMETERS          ### -Name, one section per parameter ("Default value: x" as its last line, optional)
    /// ## OUTPUTS             ### TypeName, one section per declared output type (or ### None)
    /// ## EXAMPLES            ### Example 1: title, a ```powershell block and the sentences that explain it
    /// ## NOTES               paragraphs (optional)
    /// ## RELATED LINKS       "- Command-Name" or "- [text](https://...)" lines (optional)
    /// </code>
    /// Paragraphs are separated by blank lines; a line starting with "- " starts a paragraph of its own.
    /// </summary>
    internal sealed class HelpSource
    {
        private static readonly string[] Sections = { "SYNOPSIS", "DESCRIPTION", "PARAMETERS", "OUTPUTS", "EXAMPLES", "NOTES", "RELATED LINKS" };

        public string Command { get; private set; }
        public string File { get; private set; }
        public List<string> Synopsis { get; } = new List<string>();
        public List<string> Description { get; } = new List<string>();
        public List<ParameterHelp> Parameters { get; } = new List<ParameterHelp>();
        public List<OutputHelp> Outputs { get; } = new List<OutputHelp>();
        public List<ExampleHelp> Examples { get; } = new List<ExampleHelp>();
        public List<string> Notes { get; } = new List<string>();
        public List<(string Text, string Uri, SourceLine At)> Links { get; } = new List<(string, string, SourceLine)>();

        /// <summary>Reads one file; what is malformed goes to <paramref name="errors"/>.</summary>
        public static HelpSource Read(string path, string displayPath, List<string> errors)
        {
            var help = new HelpSource { File = displayPath };
            string[] lines = System.IO.File.ReadAllLines(path);
            void Error(int line, string message) => errors.Add(displayPath + "(" + line + "): error HELP: " + message);

            string section = null;
            var body = new List<(string Text, int Line)>();
            string subheading = null;
            int subLine = 0;
            bool inFence = false;

            void Flush()
            {
                if (section == null) { body.Clear(); return; }
                var at = new SourceLine(displayPath, subLine);
                switch (section)
                {
                    case "SYNOPSIS": help.Synopsis.AddRange(Paragraphs(body)); break;
                    case "DESCRIPTION": help.Description.AddRange(Paragraphs(body)); break;
                    case "NOTES": help.Notes.AddRange(Paragraphs(body)); break;
                    case "RELATED LINKS":
                        foreach (var (linkLine, line) in body.Where(b => b.Text.Trim().Length > 0))
                        {
                            string item = linkLine.Trim();
                            if (!item.StartsWith("- ")) { Error(line, "a related link is a line '- Command-Name' or '- [text](uri)'"); continue; }
                            item = item.Substring(2).Trim();
                            int close = item.IndexOf("](", StringComparison.Ordinal);
                            if (item.StartsWith("[") && close > 0 && item.EndsWith(")"))
                                help.Links.Add((item.Substring(1, close - 1), item.Substring(close + 2, item.Length - close - 3), new SourceLine(displayPath, line)));
                            else
                                help.Links.Add((item, null, new SourceLine(displayPath, line)));
                        }
                        break;
                    case "PARAMETERS":
                        if (subheading == null) { RequireEmpty(body, "PARAMETERS holds only '### -Name' sections"); break; }
                        if (!subheading.StartsWith("-")) { Error(subLine, "a parameter section is headed '### -Name', not '### " + subheading + "'"); break; }
                        var p = new ParameterHelp { Name = subheading.Substring(1).Trim(), At = at };
                        var text = body.ToList();
                        var last = text.LastOrDefault(b => b.Text.Trim().Length > 0);
                        if (last.Text != null && last.Text.Trim().StartsWith("Default value:", StringComparison.Ordinal))
                        {
                            p.DefaultValue = last.Text.Trim().Substring("Default value:".Length).Trim();
                            text.Remove(last);
                        }
                        p.Description.AddRange(Paragraphs(text));
                        help.Parameters.Add(p);
                        break;
                    case "OUTPUTS":
                        if (subheading == null) { RequireEmpty(body, "OUTPUTS holds only '### TypeName' sections"); break; }
                        var o = new OutputHelp { TypeName = subheading.Trim(), At = at };
                        o.Description.AddRange(Paragraphs(body));
                        help.Outputs.Add(o);
                        break;
                    case "EXAMPLES":
                        if (subheading == null) { RequireEmpty(body, "EXAMPLES holds only '### Example N: title' sections"); break; }
                        var e = new ExampleHelp { Title = subheading.Trim(), At = at };
                        ReadExample(e, body);
                        help.Examples.Add(e);
                        break;
                }
                body.Clear();
            }

            void RequireEmpty(List<(string Text, int Line)> text, string message)
            {
                var stray = text.FirstOrDefault(b => b.Text.Trim().Length > 0);
                if (stray.Text != null) Error(stray.Line, message);
            }

            void ReadExample(ExampleHelp e, List<(string Text, int Line)> text)
            {
                var code = new List<string>();
                var remarks = new List<(string, int)>();
                int state = 0; // 0 before the code block, 1 in it, 2 after it
                foreach (var (t, line) in text)
                {
                    if (t.TrimStart().StartsWith("```"))
                    {
                        if (state == 0) state = 1;
                        else if (state == 1) state = 2;
                        else Error(line, "an example has one code block");
                        continue;
                    }
                    if (state == 1) code.Add(t);
                    else remarks.Add((t, line));
                }
                if (code.Count == 0 || code.All(c => c.Trim().Length == 0)) Error(e.At.Line, "example '" + e.Title + "' has no ```powershell code block");
                e.Code = string.Join("\n", code).Trim('\n');
                e.Remarks.AddRange(Paragraphs(remarks));
                if (e.Remarks.Count == 0) Error(e.At.Line, "example '" + e.Title + "' has no sentence saying what it does");
            }

            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i];
                int number = i + 1;
                if (line.TrimStart().StartsWith("```")) inFence = !inFence;
                if (!inFence && line.StartsWith("# ") && !line.StartsWith("## "))
                {
                    if (help.Command != null) Error(number, "one '# Command-Name' heading per file");
                    help.Command = line.Substring(2).Trim();
                    continue;
                }
                if (!inFence && line.StartsWith("## "))
                {
                    Flush();
                    subheading = null;
                    section = line.Substring(3).Trim().ToUpperInvariant();
                    subLine = number;
                    if (!Sections.Contains(section)) { Error(number, "unknown section '" + section + "'; sections: " + string.Join(", ", Sections)); section = null; }
                    continue;
                }
                if (!inFence && line.StartsWith("### "))
                {
                    Flush();
                    subheading = line.Substring(4).Trim();
                    subLine = number;
                    continue;
                }
                body.Add((line, number));
            }
            if (inFence) Error(lines.Length, "a ``` code block is not closed");
            Flush();

            string expected = Path.GetFileNameWithoutExtension(path);
            if (help.Command == null) Error(1, "the file starts with '# " + expected + "'");
            else if (!string.Equals(help.Command, expected, StringComparison.Ordinal)) Error(1, "the heading names '" + help.Command + "' but the file is " + expected + ".md");
            help.Command ??= expected;
            if (help.Synopsis.Count != 1) Error(1, "SYNOPSIS is one paragraph");
            if (help.Description.Count == 0) Error(1, "DESCRIPTION is missing or empty");
            if (help.Examples.Count == 0) Error(1, "EXAMPLES has no example");
            foreach (var dup in help.Parameters.GroupBy(p => p.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
                Error(dup.Skip(1).First().At.Line, "parameter -" + dup.Key + " is described twice");
            return help;
        }

        /// <summary>
        /// Paragraphs of running text: lines joined with spaces, split at blank lines and before list
        /// items ("- "); a fenced block stays one paragraph with its line breaks.
        /// </summary>
        internal static List<string> Paragraphs(IEnumerable<(string Text, int Line)> lines)
        {
            var result = new List<string>();
            var current = new StringBuilder();
            bool fenced = false;
            void End()
            {
                if (current.Length > 0) result.Add(current.ToString().TrimEnd());
                current.Clear();
            }
            foreach (var (raw, _) in lines)
            {
                if (raw.TrimStart().StartsWith("```"))
                {
                    End();
                    fenced = !fenced;
                    continue;
                }
                if (fenced)
                {
                    if (current.Length > 0) current.Append('\n');
                    current.Append(raw.TrimEnd());
                    continue;
                }
                string line = raw.Trim();
                if (line.Length == 0) { End(); continue; }
                if (line.StartsWith("- ") || line.StartsWith("* ")) End();
                if (current.Length > 0) current.Append(' ');
                current.Append(line);
            }
            End();
            return result;
        }
    }
}
