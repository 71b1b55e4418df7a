using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using Xunit;

namespace VcsNative.Engine.Tests
{
    /// <summary>Get-Help in the engine, for every command the module exports.</summary>
    public class HelpTests
    {
        /// <summary>Commands that return nothing; every other command declares what it returns.</summary>
        private static readonly string[] WithoutOutput = { "Disconnect-Vcs", "Disconnect-Vcd", "Remove-VcsUser", "Remove-VcsUserInvitation", "Remove-VcdUser",
            "Disconnect-CIServer" };

        private static List<CmdletInfo> Commands(PsSession ps) =>
            ps.Ok("Get-Command -Module VcsNative").Select(o => (CmdletInfo)o.BaseObject).ToList();

        private static IEnumerable<ParameterMetadata> OwnParameters(CmdletInfo c) =>
            c.Parameters.Values.Where(p => !Cmdlet.CommonParameters.Contains(p.Name) && !Cmdlet.OptionalCommonParameters.Contains(p.Name));

        private static string Text(object value) => value switch
        {
            null => "",
            PSObject ps when ps.BaseObject is string s => s,
            PSObject ps when ps.Properties["Text"] != null => Text(ps.Properties["Text"].Value),
            PSObject ps when ps.BaseObject is object[] items => string.Join("\n", items.Select(Text)),
            object[] items => string.Join("\n", items.Select(Text)),
            string s => s,
            _ => value.ToString(),
        };

        private static object[] Items(object value) => value switch
        {
            null => Array.Empty<object>(),
            PSObject ps when ps.BaseObject is object[] items => items,
            object[] items => items,
            _ => new[] { value },
        };

        private static object Prop(object o, string name) => o is PSObject ps ? ps.Properties[name]?.Value : null;

        [Fact]
        public void Every_command_has_a_synopsis_a_description_examples_and_every_parameter_described()
        {
            using var ps = new PsSession();
            var problems = new List<string>();
            List<CmdletInfo> commands = Commands(ps);
            Assert.NotEmpty(commands);
            foreach (CmdletInfo c in commands)
            {
                PSObject help = ps.Ok("Get-Help -Name '" + c.Name + "' -Full").Single();
                string synopsis = Text(Prop(help, "Synopsis")).Trim();
                if (synopsis.Length < 20 || synopsis.StartsWith(c.Name) || synopsis.Contains("[-"))
                    problems.Add(c.Name + ": the synopsis is missing or is the syntax: " + synopsis);
                if (Text(Prop(help, "description")).Trim().Length < 40)
                    problems.Add(c.Name + ": no description");

                object[] examples = Items(Prop(Prop(help, "examples"), "example"));
                if (examples.Length == 0) problems.Add(c.Name + ": no example");
                foreach (object e in examples)
                {
                    if (Text(Prop(e, "code")).Trim().Length == 0 || Text(Prop(e, "remarks")).Trim().Length == 0)
                        problems.Add(c.Name + ": an example without code or remarks: " + Text(Prop(e, "title")));
                }

                var described = Items(Prop(Prop(help, "parameters"), "parameter")).ToDictionary(p => Text(Prop(p, "name")), StringComparer.OrdinalIgnoreCase);
                foreach (ParameterMetadata p in OwnParameters(c))
                {
                    if (!described.TryGetValue(p.Name, out object h)) { problems.Add(c.Name + " -" + p.Name + ": not in Get-Help"); continue; }
                    if (Text(Prop(h, "description")).Trim().Length == 0) problems.Add(c.Name + " -" + p.Name + ": no description");
                    var sets = p.ParameterSets.Values;
                    bool required = sets.All(s => s.IsMandatory);
                    if (Text(Prop(h, "required")) != (required ? "true" : "false")) problems.Add(c.Name + " -" + p.Name + ": required is " + Text(Prop(h, "required")));
                    bool wildcards = p.Attributes.OfType<SupportsWildcardsAttribute>().Any();
                    if (Text(Prop(h, "globbing")) != (wildcards ? "true" : "false")) problems.Add(c.Name + " -" + p.Name + ": globbing is " + Text(Prop(h, "globbing")));
                    string pipeline = Text(Prop(h, "pipelineInput"));
                    if (sets.Any(s => s.ValueFromPipeline) != pipeline.Contains("ByValue") || sets.Any(s => s.ValueFromPipelineByPropertyName) != pipeline.Contains("ByPropertyName"))
                        problems.Add(c.Name + " -" + p.Name + ": pipeline input is " + pipeline);
                    foreach (string alias in p.Aliases)
                    {
                        if (!Text(Prop(h, "aliases")).Split(',').Select(a => a.Trim()).Contains(alias)) problems.Add(c.Name + " -" + p.Name + ": alias " + alias + " not shown");
                    }
                    string typeName = Text(Prop(Prop(h, "type"), "name"));
                    string expectedType = p.ParameterType.IsArray ? p.ParameterType.GetElementType().FullName + "[]" : p.ParameterType.FullName;
                    if (typeName != expectedType && !(Nullable.GetUnderlyingType(p.ParameterType) != null && typeName.Contains(Nullable.GetUnderlyingType(p.ParameterType).FullName)))
                        problems.Add(c.Name + " -" + p.Name + ": type " + typeName + ", the code has " + expectedType);
                }

                int syntaxItems = Items(Prop(Prop(help, "syntax"), "syntaxItem")).Length;
                if (syntaxItems != c.ParameterSets.Count) problems.Add(c.Name + ": " + syntaxItems + " syntax items for " + c.ParameterSets.Count + " parameter sets");

                string returns = Text(Items(Prop(Prop(help, "returnValues"), "returnValue")).Select(r => Prop(Prop(r, "type"), "name")).ToArray());
                foreach (PSTypeName t in c.OutputType)
                {
                    if (!returns.Contains(t.Name)) problems.Add(c.Name + ": the output type " + t.Name + " is not in Get-Help (it shows: " + returns + ")");
                }
            }
            Assert.True(problems.Count == 0, string.Join("\n", problems));
        }

        [Fact]
        public void Every_command_that_returns_objects_declares_its_output_type()
        {
            using var ps = new PsSession();
            var missing = Commands(ps).Where(c => !WithoutOutput.Contains(c.Name) && c.OutputType.Count == 0).Select(c => c.Name).ToList();
            Assert.True(missing.Count == 0, "no [OutputType]: " + string.Join(", ", missing));
        }

        [Fact]
        public void Get_Help_shows_what_the_code_says_of_a_parameter()
        {
            using var ps = new PsSession();
            PSObject id = ps.Ok("Get-Help Get-VcsUser -Parameter Id").Single();
            Assert.Equal("UserId", Text(Prop(id, "aliases")));
            Assert.Equal("True (ByPropertyName)", Text(Prop(id, "pipelineInput")));
            Assert.Equal("true", Text(Prop(id, "required")));
            PSObject name = ps.Ok("Get-Help Get-VcsUser -Parameter Name").Single();
            Assert.Equal("true", Text(Prop(name, "globbing")));
            Assert.Equal("0", Text(Prop(name, "position")));
            Assert.Equal("False", Text(Prop(name, "pipelineInput")));
            PSObject server = ps.Ok("Get-Help Disconnect-Vcs -Parameter Server").Single();
            Assert.Equal("True (ByValue)", Text(Prop(server, "pipelineInput")));
            Assert.Contains("wildcards", Text(Prop(server, "description")));
            Assert.Equal("RefreshToken", Text(Prop(ps.Ok("Get-Help Connect-Vcs -Parameter ApiToken").Single(), "aliases")));
            Assert.Equal("console.cloud.vmware.com", Text(Prop(ps.Ok("Get-Help New-VcsOAuthSecurityContext -Parameter VcsServer").Single(), "defaultValue")));

            // Switches show without a value in the syntax; -WhatIf and -Confirm are described.
            string syntax = ps.Ok("Get-Help Disconnect-Vcs | Out-String").Single().BaseObject.ToString();
            Assert.Contains("[-Force]", syntax);
            Assert.Contains("[-WhatIf]", syntax);
            Assert.Contains("Shows what would happen", Text(Prop(ps.Ok("Get-Help Disconnect-Vcs -Parameter WhatIf").Single(), "description")));
        }

        [Fact]
        public void Get_Help_shows_the_examples_and_the_output_types()
        {
            using var ps = new PsSession();
            string examples = ps.Ok("Get-Help Get-VcsUser -Examples | Out-String").Single().BaseObject.ToString();
            Assert.Contains("Example 1: Retrieve every user", examples);
            Assert.Contains("Get-VcsUser -Email '*@example.com'", examples);
            string full = ps.Ok("Get-Help Connect-Vcs -Full | Out-String").Single().BaseObject.ToString();
            Assert.Contains("VMware.CloudServices.Types.V1.IVcsServer", full);
            Assert.Contains("RELATED LINKS", full);
            Assert.Contains("Disconnect-Vcs", full);
        }

        /// <summary>The help text of all planned commands is kept, including those written ahead of their code.</summary>
        [Fact]
        public void Every_command_of_the_manifest_has_a_help_file()
        {
            using var ps = new PsSession(importModule: false);
            string dir = Path.Combine(Paths.RepoRoot, "powershell", "help");
            var files = Directory.GetFiles(dir, "*.md").Select(Path.GetFileNameWithoutExtension).OrderBy(n => n);
            Assert.Equal(ModuleTests.ManifestCmdlets(ps).OrderBy(n => n), files);
        }

        /// <summary>
        /// Removals ask first (ConfirmImpact High): their help says how to skip the question and what
        /// happens where nobody can answer it. Checked in Get-Help for the commands built, and in the
        /// help source for every Remove- command.
        /// </summary>
        [Fact]
        public void Removal_help_says_that_it_asks_and_how_to_skip_the_question()
        {
            var texts = new Dictionary<string, string>();
            foreach (string file in Directory.GetFiles(Path.Combine(Paths.RepoRoot, "powershell", "help"), "Remove-*.md"))
                texts[Path.GetFileNameWithoutExtension(file) + ".md"] = File.ReadAllText(file);
            Assert.Equal(3, texts.Count);
            using var ps = new PsSession();
            foreach (CmdletInfo c in Commands(ps))
            {
                var attribute = (CmdletAttribute)Attribute.GetCustomAttribute(c.ImplementingType, typeof(CmdletAttribute));
                if (attribute.ConfirmImpact == ConfirmImpact.High)
                    texts[c.Name] = ps.Ok("Get-Help -Name '" + c.Name + "' -Full | Out-String").Single().BaseObject.ToString();
            }
            foreach (var (name, text) in texts)
            {
                string flat = string.Join(" ", text.Split((char[])null, StringSplitOptions.RemoveEmptyEntries));
                Assert.True(flat.Contains("ConfirmImpact High") && flat.Contains("-Force") && flat.Contains("-Confirm:$false") && flat.Contains("cannot ask"),
                    name + " does not say that it asks for confirmation, how to skip it, and what happens where the host cannot ask");
            }
        }
    }
}
