using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;

namespace VcsNative.HelpGen
{
    /// <summary>
    /// Builds the module's MAML help and refuses help that does not match the code: a command
    /// without a help file, a parameter without a description, a description of a parameter or an
    /// output type the command does not have, an example that does not parse or passes a parameter
    /// the command does not take. Each problem is one MSBuild error line naming the file and line.
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            if (args.Length != 2)
            {
                Console.Error.WriteLine("usage: HelpGen <module folder> <help source folder>");
                return 2;
            }
            var clock = Stopwatch.StartNew();
            string moduleDir = Path.GetFullPath(args[0]);
            string helpDir = Path.GetFullPath(args[1]);
            var errors = new List<string>();

            string[] manifests = Directory.GetFiles(moduleDir, "*.psd1");
            if (manifests.Length != 1)
            {
                Console.Error.WriteLine("HelpGen: error HELP: expected one .psd1 in " + moduleDir + ", found " + manifests.Length);
                return 1;
            }
            string manifest = manifests[0];
            HashSet<string> declared = ManifestCmdlets(manifest, errors);

            var sources = new Dictionary<string, HelpSource>(StringComparer.OrdinalIgnoreCase);
            foreach (string file in Directory.GetFiles(helpDir, "*.md").OrderBy(f => f, StringComparer.Ordinal))
            {
                HelpSource source = HelpSource.Read(file, file, errors);
                sources[source.Command] = source;
                if (!declared.Contains(source.Command))
                    errors.Add(file + "(1): error HELP: " + source.Command + " is not in CmdletsToExport of " + Path.GetFileName(manifest));
            }

            List<CmdletInfo> cmdlets;
            using (Runspace runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2()))
            {
                runspace.Open();
                using PowerShell ps = PowerShell.Create(runspace);
                ps.AddCommand("Import-Module").AddParameter("Name", manifest).AddParameter("PassThru").AddParameter("ErrorAction", "Stop");
                PSModuleInfo module;
                try
                {
                    module = ps.Invoke<PSModuleInfo>().Single();
                }
                catch (RuntimeException e)
                {
                    Console.Error.WriteLine(manifest + ": error HELP: the module does not import: " + e.Message);
                    return 1;
                }
                cmdlets = module.ExportedCmdlets.Values.OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
            }
            var exported = new HashSet<string>(cmdlets.Select(c => c.Name), StringComparer.OrdinalIgnoreCase);

            var pages = new List<(CommandModel, HelpSource)>();
            var models = cmdlets.ToDictionary(c => c.Name, CommandModel.Of, StringComparer.OrdinalIgnoreCase);
            foreach (CmdletInfo cmdlet in cmdlets)
            {
                if (!sources.TryGetValue(cmdlet.Name, out HelpSource text))
                {
                    errors.Add(Path.Combine(helpDir, cmdlet.Name + ".md") + ": error HELP: " + cmdlet.Name + " has no help file");
                    continue;
                }
                CommandModel model = models[cmdlet.Name];
                CheckParameters(model, text, errors);
                CheckOutputs(model, text, errors);
                foreach (ExampleHelp example in text.Examples) CheckExample(example, declared, models, errors);
                foreach (var (linkText, uri, at) in text.Links)
                {
                    bool ours = linkText.Contains("-Vcs") || linkText.Contains("-Vcd");
                    if (uri == null && ours && !declared.Contains(linkText))
                        errors.Add(at + ": error HELP: related link " + linkText + " is not a command of the module");
                }
                pages.Add((model, text));
            }

            foreach (string e in errors) Console.Error.WriteLine(e);
            if (errors.Count > 0) return 1;

            string helpFile = cmdlets.Select(c => c.HelpFile).Distinct().Single();
            string outDir = Path.Combine(moduleDir, "en-US");
            Directory.CreateDirectory(outDir);
            string output = Path.Combine(outDir, helpFile);
            MamlWriter.Write(output, pages);

            var pending = declared.Where(d => !exported.Contains(d)).OrderBy(d => d, StringComparer.Ordinal).ToList();
            Console.WriteLine("HelpGen: help for " + pages.Count + " command(s) in " + output + " (" + clock.ElapsedMilliseconds + " ms)"
                + (pending.Count == 0 ? "" : "; listed in the manifest but not in this build: " + string.Join(", ", pending)));
            return 0;
        }

        /// <summary>CmdletsToExport of the manifest, read without running it.</summary>
        private static HashSet<string> ManifestCmdlets(string manifest, List<string> errors)
        {
            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            ScriptBlockAst ast = Parser.ParseFile(manifest, out _, out ParseError[] parseErrors);
            foreach (ParseError e in parseErrors) errors.Add(manifest + "(" + e.Extent.StartLineNumber + "): error HELP: " + e.Message);
            var table = (HashtableAst)ast.Find(a => a is HashtableAst, searchNestedScriptBlocks: false);
            var entry = table?.KeyValuePairs.FirstOrDefault(kv => kv.Item1 is StringConstantExpressionAst k && k.Value.Equals("CmdletsToExport", StringComparison.OrdinalIgnoreCase));
            object value = (entry?.Item2 as PipelineAst)?.GetPureExpression()?.SafeGetValue();
            IEnumerable items = value as IEnumerable;
            if (value is string one) items = new[] { one };
            if (items == null)
            {
                errors.Add(manifest + ": error HELP: the manifest has no CmdletsToExport list");
                return names;
            }
            foreach (object item in items) names.Add(item.ToString());
            return names;
        }

        private static void CheckParameters(CommandModel model, HelpSource text, List<string> errors)
        {
            foreach (ParameterFacts p in model.Parameters)
            {
                if (p.Name == "WhatIf" || p.Name == "Confirm") continue;
                ParameterHelp help = text.Parameters.FirstOrDefault(h => string.Equals(h.Name, p.Name, StringComparison.OrdinalIgnoreCase));
                if (help == null)
                    errors.Add(text.File + "(1): error HELP: " + model.Name + " -" + p.Name + " has no description (add a '### -" + p.Name + "' section under PARAMETERS)");
                else if (help.Description.Count == 0)
                    errors.Add(help.At + ": error HELP: " + model.Name + " -" + p.Name + " has an empty description");
                else if (help.Name != p.Name)
                    errors.Add(help.At + ": error HELP: " + model.Name + " spells the parameter -" + p.Name + ", not -" + help.Name);
            }
            foreach (ParameterHelp help in text.Parameters)
            {
                if (!model.Parameters.Any(p => string.Equals(p.Name, help.Name, StringComparison.OrdinalIgnoreCase)))
                    errors.Add(help.At + ": error HELP: " + model.Name + " has no parameter -" + help.Name
                        + " (its parameters: " + string.Join(", ", model.Parameters.Select(p => "-" + p.Name)) + ")");
            }
        }

        private static void CheckOutputs(CommandModel model, HelpSource text, List<string> errors)
        {
            string declared = model.OutputTypes.Count == 0 ? "none" : string.Join(", ", model.OutputTypes);
            foreach (string type in model.OutputTypes)
            {
                if (!text.Outputs.Any(o => CommandModel.OutputKey(o.TypeName) == CommandModel.OutputKey(type)))
                    errors.Add(text.File + "(1): error HELP: " + model.Name + " returns " + type + ": describe it in a '### " + type + "' section under OUTPUTS");
            }
            foreach (OutputHelp o in text.Outputs)
            {
                bool none = o.TypeName == "None" && model.OutputTypes.Count == 0;
                if (!none && !model.OutputTypes.Any(t => CommandModel.OutputKey(t) == CommandModel.OutputKey(o.TypeName)))
                    errors.Add(o.At + ": error HELP: " + model.Name + " does not declare the output type " + o.TypeName + " (declared: " + declared + ")");
                if (o.Description.Count == 0)
                    errors.Add(o.At + ": error HELP: the output " + o.TypeName + " of " + model.Name + " has no description");
            }
        }

        /// <summary>An example must parse, name commands the module has, and pass them parameters they take.</summary>
        private static void CheckExample(ExampleHelp example, HashSet<string> declared, Dictionary<string, CommandModel> models, List<string> errors)
        {
            Ast ast = Parser.ParseInput(example.Code ?? "", out _, out ParseError[] parseErrors);
            foreach (ParseError e in parseErrors)
                errors.Add(example.At + ": error HELP: example '" + example.Title + "' does not parse: " + e.Message);
            foreach (CommandAst call in ast.FindAll(a => a is CommandAst, searchNestedScriptBlocks: true).Cast<CommandAst>())
            {
                string name = call.GetCommandName();
                if (name == null) continue;
                bool ours = name.Contains("-Vcs") || name.Contains("-Vcd");
                if (ours && !declared.Contains(name))
                {
                    errors.Add(example.At + ": error HELP: example '" + example.Title + "' calls " + name + ", which the module does not export");
                    continue;
                }
                if (!models.TryGetValue(name, out CommandModel model)) continue;
                var known = model.Info.Parameters.Values.SelectMany(p => p.Aliases.Prepend(p.Name)).ToList();
                foreach (CommandParameterAst given in call.CommandElements.OfType<CommandParameterAst>())
                {
                    string n = given.ParameterName;
                    bool exact = known.Any(k => string.Equals(k, n, StringComparison.OrdinalIgnoreCase));
                    bool prefix = known.Count(k => k.StartsWith(n, StringComparison.OrdinalIgnoreCase)) == 1;
                    if (!exact && !prefix)
                        errors.Add(example.At + ": error HELP: example '" + example.Title + "' passes -" + n + " to " + name + ", which has no such parameter");
                }
            }
        }
    }
}
