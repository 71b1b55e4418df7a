// MSBuild task (compiled by RoslynCodeTaskFactory in Package.targets, never part of the module):
// reads the module manifest and writes the .nuspec that Publish-PSResource would write for it, so
// that `dotnet pack` gives the package PSResourceGet installs. The manifest is the one source of
// the package's metadata; nothing is repeated in the project file.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class WriteModuleNuspec : Task
{
    /// <summary>The staged copy of VcsNative.psd1 (ProjectUri, when given, is written into it).</summary>
    [Required] public string Manifest { get; set; }
    [Required] public string Nuspec { get; set; }
    /// <summary>The assembly's version: the package must carry the same one.</summary>
    [Required] public string AssemblyVersion { get; set; }
    /// <summary>The release's project page; the manifest states none of its own.</summary>
    public string ProjectUri { get; set; }
    /// <summary>The platform folders in the package (linux-x64, ...), checked against the release notes.</summary>
    public string[] NativeFolders { get; set; }

    private string _text;

    public override bool Execute()
    {
        _text = File.ReadAllText(Manifest);
        string id = Path.GetFileNameWithoutExtension(Manifest);
        string version = Scalar("ModuleVersion", true);
        string author = Scalar("Author", true);
        string description = Scalar("Description", true);
        string licenseUri = Scalar("LicenseUri", true);
        string releaseNotes = HereString("ReleaseNotes");
        string[] cmdlets = List("CmdletsToExport");
        string[] tags = List("Tags");
        string[] editions = List("CompatiblePSEditions");
        if (Log.HasLoggedErrors) return false;

        if (version != AssemblyVersion)
        {
            return Fail($"ModuleVersion '{version}' in {Manifest} is not the assembly's Version '{AssemblyVersion}' (VcsNative.csproj): the package would carry two versions");
        }
        if (cmdlets.Length == 0) return Fail($"CmdletsToExport in {Manifest} lists no cmdlet");
        if (string.IsNullOrWhiteSpace(releaseNotes)) return Fail($"PrivateData.PSData.ReleaseNotes in {Manifest} is missing or empty");
        foreach (string folder in NativeFolders ?? Array.Empty<string>())
        {
            if (!releaseNotes.Contains(folder)) return Fail($"the package holds the native folder '{folder}', which ReleaseNotes in {Manifest} does not name");
        }
        if (!IsWebUri(licenseUri)) return Fail($"LicenseUri '{licenseUri}' in {Manifest} is not an http(s) URI");

        string projectUri = Scalar("ProjectUri", false);
        if (!string.IsNullOrEmpty(ProjectUri))
        {
            if (!IsWebUri(ProjectUri)) return Fail($"VcsProjectUri '{ProjectUri}' is not an absolute http(s) URI");
            if (projectUri != null && projectUri != ProjectUri) return Fail($"VcsProjectUri '{ProjectUri}' differs from ProjectUri '{projectUri}' in {Manifest}");
            if (projectUri == null)
            {
                // The packaged manifest says what the nuspec says, so Get-Module shows it too.
                var psData = new Regex(@"(?m)^(\s*)PSData\s*=\s*@\{[ \t]*\r?\n");
                Match m = psData.Match(_text);
                if (!m.Success) return Fail($"no PSData = @{{ line in {Manifest} to add ProjectUri to");
                string indent = m.Groups[1].Value + "    ";
                _text = _text.Insert(m.Index + m.Length, $"{indent}ProjectUri   = '{ProjectUri.Replace("'", "''")}'\n");
                File.WriteAllText(Manifest, _text);
                projectUri = ProjectUri;
            }
        }

        // Publish-PSResource: "PSModule", then the manifest's tags. PowerShellGet 2 and the Gallery
        // add the editions and one PSCmdlet_ and PSCommand_ tag per command, which Find-PSResource
        // -Command searches.
        var allTags = new List<string> { "PSModule" };
        allTags.AddRange(tags);
        allTags.AddRange(editions.Select(e => "PSEdition_" + e));
        allTags.Add("PSIncludes_Cmdlet");
        foreach (string c in cmdlets) { allTags.Add("PSCmdlet_" + c); allTags.Add("PSCommand_" + c); }
        allTags = allTags.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        string spaced = allTags.FirstOrDefault(t => t.Any(char.IsWhiteSpace));
        if (spaced != null) return Fail($"the tag '{spaced}' in {Manifest} has a space: nuspec tags are separated by spaces");

        XNamespace ns = "http://schemas.microsoft.com/packaging/2011/08/nuspec.xsd";
        var metadata = new XElement(ns + "metadata",
            new XElement(ns + "id", id),
            new XElement(ns + "version", version),
            new XElement(ns + "authors", author),
            new XElement(ns + "owners", Scalar("CompanyName", false) ?? author),
            new XElement(ns + "requireLicenseAcceptance", "false"),
            new XElement(ns + "licenseUrl", licenseUri),
            projectUri == null ? null : new XElement(ns + "projectUrl", projectUri),
            new XElement(ns + "description", description),
            new XElement(ns + "releaseNotes", releaseNotes),
            new XElement(ns + "copyright", Scalar("Copyright", false)),
            new XElement(ns + "tags", string.Join(" ", allTags)));
        // Every file of the staged folder, at the package root, as Publish-PSResource packs them.
        var files = new XElement(ns + "files", new XElement(ns + "file", new XAttribute("src", "**"), new XAttribute("target", "")));
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(Nuspec)));
        new XDocument(new XDeclaration("1.0", "utf-8", null), new XElement(ns + "package", metadata, files)).Save(Nuspec);
        Log.LogMessage(MessageImportance.High, $"VcsNative package: {id} {version}, {cmdlets.Length} cmdlets, nuspec {Nuspec}");
        return true;
    }

    private bool Fail(string message)
    {
        Log.LogError("VcsNative pack: " + message);
        return false;
    }

    private static bool IsWebUri(string s) =>
        Uri.TryCreate(s, UriKind.Absolute, out Uri u) && (u.Scheme == Uri.UriSchemeHttps || u.Scheme == Uri.UriSchemeHttp);

    // The manifest's values are single-quoted strings, @'...'@ here-strings and @('...') lists:
    // the forms this manifest uses, read without a PowerShell engine at build time.
    private string Scalar(string key, bool required)
    {
        Match m = Regex.Match(_text, @"(?m)^\s*" + key + @"\s*=\s*'((?:[^']|'')*)'");
        if (m.Success) return m.Groups[1].Value.Replace("''", "'");
        if (required) Fail($"{key} = '...' not found in {Manifest}");
        return null;
    }

    private string HereString(string key)
    {
        Match m = Regex.Match(_text, @"(?m)^\s*" + key + @"\s*=\s*@'\r?\n(.*?)\r?\n'@", RegexOptions.Singleline);
        return m.Success ? m.Groups[1].Value.Trim() : null;
    }

    private string[] List(string key)
    {
        Match m = Regex.Match(_text, @"(?m)^\s*" + key + @"\s*=\s*@\(([^)]*)\)");
        if (!m.Success)
        {
            Fail($"{key} = @(...) not found in {Manifest}");
            return Array.Empty<string>();
        }
        // Comments inside the list (# ...) name no entry.
        string items = Regex.Replace(m.Groups[1].Value, @"#[^\n]*", "");
        return Regex.Matches(items, @"'((?:[^']|'')*)'").Cast<Match>().Select(x => x.Groups[1].Value.Replace("''", "'")).ToArray();
    }
}
