using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Reflection;
using Xunit;

namespace VcsNative.Engine.Tests
{
    /// <summary>The module as a whole: its manifest, what it exports, how it imports, the Pester file.</summary>
    public class ModuleTests
    {
        /// <summary>The module's whole surface, as planned: the CSP cmdlets and the Cloud Director ones.</summary>
        internal static readonly string[] PlannedCommands =
        {
            "Connect-Vcs", "Disconnect-Vcs", "New-VcsOAuthSecurityContext", "Get-VcsOrganizationRole", "Get-VcsService",
            "Get-VcsServiceRole", "Get-VcsUser", "Get-VcsUserInvitation", "New-VcsUserInvitation", "Remove-VcsUser",
            "Remove-VcsUserInvitation", "Connect-Vcd", "Disconnect-Vcd", "Get-VcdUser", "Get-VcdRole", "New-VcdUser",
            "Set-VcdUser", "Remove-VcdUser",
            "Connect-CIServer", "Disconnect-CIServer", "Get-CIUser", "Get-CIRole",
            "Set-VcsUser", "Export-VcsUser", "Export-VcdUser", "Sync-VcsUser", "Sync-VcdUser",
        };

        internal static string[] ManifestCmdlets(PsSession ps) =>
            ps.Ok("(Import-PowerShellDataFile $manifest).CmdletsToExport").Select(o => (string)o.BaseObject).ToArray();

        [Fact]
        public void Test_ModuleManifest_passes_and_reports_the_version_of_the_assembly()
        {
            using var ps = new PsSession(importModule: false);
            RunResult r = ps.Run("Test-ModuleManifest -Path $manifest");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.ToString());
            PSModuleInfo info = Assert.IsType<PSModuleInfo>(Assert.Single(r.Output).BaseObject);
            Version assembly = AssemblyName.GetAssemblyName(Path.Combine(Paths.ModuleDir, "VcsNative.Commands.dll")).Version;
            Assert.Equal(new Version(assembly.Major, assembly.Minor, assembly.Build), info.Version);
            Assert.Equal(new Version(0, 2, 0), info.Version);
            Assert.Equal(new Version(7, 4), info.PowerShellVersion);
            Assert.Equal(new[] { "Core" }, info.CompatiblePSEditions);
            Assert.Equal("VcsNative.Commands.dll", Path.GetFileName(info.RootModule));
            Assert.Empty(info.ExportedFunctions);
            Assert.Empty(info.ExportedAliases);
            Assert.Contains("UserManagement", (IEnumerable<string>)info.Tags);
            Assert.Contains("0.2.0", info.ReleaseNotes);
        }

        [Fact]
        public void The_manifest_lists_every_planned_command_once()
        {
            using var ps = new PsSession(importModule: false);
            string[] listed = ManifestCmdlets(ps);
            Assert.Equal(listed.Length, listed.Distinct(StringComparer.OrdinalIgnoreCase).Count());
            Assert.Equal(PlannedCommands.OrderBy(n => n), listed.OrderBy(n => n));
        }

        /// <summary>What the module exports is exactly what the manifest lists, no more, no less.</summary>
        [Fact]
        public void The_exported_commands_are_the_manifest_list()
        {
            using var ps = new PsSession();
            var exported = ps.Ok("(Get-Command -Module VcsNative).Name").Select(o => (string)o.BaseObject).ToHashSet();
            var listed = ManifestCmdlets(ps).ToHashSet();
            Assert.True(exported.SetEquals(listed),
                "listed in the manifest but not exported: " + string.Join(", ", listed.Except(exported).OrderBy(n => n))
                + "\nexported but not listed: " + string.Join(", ", exported.Except(listed).OrderBy(n => n)));
            Assert.All(ps.Ok("Get-Command -Module VcsNative"), c => Assert.IsType<CmdletInfo>(c.BaseObject));
        }

        [Fact]
        public void The_module_folder_holds_no_script_or_source_to_run_at_import()
        {
            var files = Directory.GetFiles(Paths.ModuleDir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Paths.ModuleDir, f)).ToList();
            Assert.DoesNotContain(files, f => f.EndsWith(".cs") || f.EndsWith(".ps1") || f.EndsWith(".psm1"));
            Assert.Contains(Path.Combine("en-US", "VcsNative.Commands.dll-Help.xml"), files);
            using var ps = new PsSession(importModule: false);
            RunResult keys = ps.Run("$m = Import-PowerShellDataFile $manifest; 'ScriptsToProcess', 'NestedModules', 'RequiredAssemblies' | Where-Object { $m.ContainsKey($_) }");
            Assert.Empty(keys.Output);
        }

        [Fact]
        public void A_fresh_process_imports_it_without_compiling_or_writing_to_home()
        {
            ImportReport r = ImportProbe.Run(Paths.Manifest);
            Assert.Empty(r.Errors);
            Assert.Equal("Binary", r.ModuleType);
            Assert.Contains("Get-VcsUser", r.Exported);
            Assert.Equal(0, r.AddTypeCalls);
            // Add-Type compiles with Roslyn into an assembly loaded from memory (no file) or a dynamic one.
            Assert.DoesNotContain(r.LoadedAssemblies, a => a.StartsWith("Microsoft.CodeAnalysis"));
            Assert.DoesNotContain(r.LoadedAssemblies, a => a.Split('|')[1].Length == 0);
            Assert.Contains(r.LoadedAssemblies, a => a.StartsWith("VcsNative.Commands|" + Path.GetFullPath(Paths.ModuleDir)));
            Assert.Empty(r.FilesInHome);
        }

        [Fact]
        public void Without_its_native_library_the_import_fails_naming_the_path_it_looked_for()
        {
            string copy = Directory.CreateTempSubdirectory("vcs-module-").FullName;
            try
            {
                string nativeDir = null, nativeFile = null;
                foreach (string file in Directory.GetFiles(Paths.ModuleDir, "*", SearchOption.AllDirectories))
                {
                    string name = Path.GetFileName(file);
                    if (name == "libvcs_native.so" || name == "libvcs_native.dylib" || name == "vcs_native.dll")
                    {
                        nativeDir = Path.GetFileName(Path.GetDirectoryName(file));
                        nativeFile = name;
                        continue;
                    }
                    string target = Path.Combine(copy, Path.GetRelativePath(Paths.ModuleDir, file));
                    Directory.CreateDirectory(Path.GetDirectoryName(target));
                    File.Copy(file, target);
                }
                Assert.NotNull(nativeDir);

                ImportReport r = ImportProbe.Run(Path.Combine(copy, "VcsNative.psd1"));
                string expected = Path.Combine(copy, nativeDir, nativeFile);
                Assert.Contains(r.Errors, e => e.Contains(expected));
                Assert.Empty(r.Exported);
            }
            finally
            {
                Directory.Delete(copy, recursive: true);
            }
        }

        [Fact]
        public void The_Pester_file_parses_and_calls_only_commands_and_parameters_the_module_has()
        {
            string path = Path.Combine(Paths.RepoRoot, "tests", "powershell", "VcsNative.Tests.ps1");
            ScriptBlockAst ast = Parser.ParseFile(path, out _, out ParseError[] errors);
            Assert.True(errors.Length == 0, string.Join("\n", errors.Select(e => e.Extent.StartLineNumber + ": " + e.Message)));
            Assert.Contains("VCS_TEST_MODULE", ast.Extent.Text);

            using var ps = new PsSession();
            var listed = ManifestCmdlets(ps).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var problems = new List<string>();
            foreach (CommandAst call in ast.FindAll(a => a is CommandAst, true).Cast<CommandAst>())
            {
                string name = call.GetCommandName();
                if (name == null || !(name.Contains("-Vcs") || name.Contains("-Vcd"))) continue;
                if (!listed.Contains(name)) { problems.Add(call.Extent.StartLineNumber + ": " + name + " is not a command of the module"); continue; }
                if (!(ps.Ok("Get-Command -Module VcsNative -Name '" + name + "' -ErrorAction Ignore").SingleOrDefault()?.BaseObject is CmdletInfo cmdlet)) continue;
                var known = cmdlet.Parameters.Values.SelectMany(p => p.Aliases.Prepend(p.Name)).ToList();
                foreach (CommandParameterAst given in call.CommandElements.OfType<CommandParameterAst>())
                {
                    if (!known.Any(k => k.StartsWith(given.ParameterName, StringComparison.OrdinalIgnoreCase)))
                        problems.Add(call.Extent.StartLineNumber + ": " + name + " has no parameter -" + given.ParameterName);
                }
            }
            Assert.True(problems.Count == 0, string.Join("\n", problems));
        }
    }
}
