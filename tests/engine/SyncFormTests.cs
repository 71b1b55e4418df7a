using System;
using System.IO;
using System.Linq;
using System.Management.Automation.Language;
using System.Text.RegularExpressions;
using Xunit;

namespace VcsNative.Engine.Tests
{
    /// <summary>The PowerShell forms `vcs tour` prints, and the sync tables as a console shows them.</summary>
    public class SyncFormTests
    {
        [Fact]
        public void The_tours_PowerShell_forms_name_parameters_the_cmdlets_have()
        {
            string tour = File.ReadAllText(Path.Combine(Paths.RepoRoot, "cli", "src", "tour.rs"));
            var forms = Regex.Matches(tour, @"(Set-VcsUser|Sync-VcsUser|Sync-VcdUser|Export-VcsUser|Export-VcdUser)\b[^""#\n]*")
                .Select(m => m.Value.Replace("{}", "someone@example.com")).ToList();
            Assert.True(forms.Count >= 4, "the tour's forms were not found: " + string.Join(" | ", forms));
            using var ps = new PsSession();
            foreach (string form in forms)
            {
                var ast = Parser.ParseInput(form, out _, out ParseError[] errors);
                Assert.Empty(errors);
                foreach (CommandAst command in ast.FindAll(a => a is CommandAst, true).Cast<CommandAst>())
                {
                    string name = command.GetCommandName();
                    var known = ps.Ok("(Get-Command " + name + ").Parameters.Keys").Select(o => (string)o.BaseObject).ToHashSet(StringComparer.OrdinalIgnoreCase);
                    foreach (var p in command.CommandElements.OfType<CommandParameterAst>()) Assert.True(known.Contains(p.ParameterName), name + " has no -" + p.ParameterName + " (tour: " + form + ")");
                }
            }
        }

        [Fact]
        public void Plan_rows_and_results_render_as_tables_within_80_columns()
        {
            using var emu = new Emulator(users: 8);
            using var ps = new PsSession(emu);
            ps.Connect();
            string dir = ExportSyncTests.TempDir();
            ps.Set("dir", dir);
            ps.Ok("Set-Location $dir; Export-VcsUser -Path org.csv");
            File.AppendAllText(Path.Combine(dir, "org.csv"), "new.one@partner.example.org,org_member;developer,\n");
            string plan = (string)ps.Ok("Sync-VcsUser -Path org.csv -WhatIf | Out-String -Width 80").Single().BaseObject;
            Assert.Matches(@"Line\s+Action\s+User\s+What", plan);
            Assert.Contains("new.one@partner.example.org", plan);
            Assert.Contains("+developer", plan);
            Assert.Contains("+org_member", plan);
            Assert.All(plan.Split('\n'), l => Assert.True(l.TrimEnd().Length <= 80, l));
            string applied = (string)ps.Ok("Sync-VcsUser -Path org.csv -Confirm:$false | Out-String -Width 80").Single().BaseObject;
            Assert.Matches(@"Line\s+Action\s+User\s+Outcome\s+Message", applied);
            Assert.Contains("invited", applied);
        }
    }
}
