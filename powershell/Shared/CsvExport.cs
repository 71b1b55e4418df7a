using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using VMware.CloudServices.Impl.V1.CmdletOutput;

namespace VcsNative
{
    /// <summary>
    /// The sync files as `vcs user list --csv` and `vcs vcd user list --csv` write them. The C ABI
    /// has no CSV writer, so this is the one place the module writes the library's format: a
    /// header, then one line per user, lists as sorted ';'-separated cells, '\n' line ends, UTF-8.
    /// </summary>
    internal sealed class CsvExport : IDisposable
    {
        internal static readonly string[] CspHeader = { "Email", "OrganizationRoles", "ServiceRoles" };
        internal static readonly string[] VcdHeader = { "Username", "Password", "Role", "FullName", "Email", "Enabled", "ProviderType" };

        private readonly StreamWriter writer;

        internal CsvExport(string path, string[] header)
        {
            writer = new StreamWriter(path, false, new UTF8Encoding(false));
            Line(header);
        }

        internal int Count { get; private set; }

        /// <summary>A CSP member: email, organization roles, 'Service name=role' lines.</summary>
        internal void Add(VcsUserImpl u)
        {
            var services = new SortedSet<string>(StringComparer.Ordinal);
            foreach (VcsServiceRoleGrant g in u.ServiceRoleGrants ?? Array.Empty<VcsServiceRoleGrant>())
            {
                foreach (string r in g.Roles ?? Array.Empty<string>()) services.Add(g.ServiceName + "=" + r);
            }
            Line(new[] { u.Email ?? "", Sorted(u.OrganizationRoleNames), string.Join(";", services) });
            Count++;
        }

        /// <summary>A Cloud Director user; the password column stays empty (a listing never holds one).</summary>
        internal void Add(VcdUser u)
        {
            Line(new[] { u.Username ?? "", "", Sorted(u.Roles), u.FullName ?? "", u.Email ?? "", u.Enabled ? "true" : "false", u.ProviderType ?? "" });
            Count++;
        }

        private static string Sorted(IEnumerable<string> values) =>
            string.Join(";", new SortedSet<string>(values?.Where(v => v != null) ?? Enumerable.Empty<string>(), StringComparer.Ordinal));

        private void Line(string[] fields)
        {
            writer.Write(string.Join(",", fields.Select(Field)));
            writer.Write('\n');
        }

        /// <summary>Quoted when it holds a comma, a quote, a line break or edge spaces.</summary>
        private static string Field(string s)
        {
            if (s.IndexOfAny(new[] { ',', '"', '\n', '\r' }) >= 0 || s.Trim() != s) return "\"" + s.Replace("\"", "\"\"") + "\"";
            return s;
        }

        public void Dispose() => writer.Dispose();

        /// <summary>
        /// Export-VcsUser and Export-VcdUser: <paramref name="fill"/> lists the users into the file
        /// (returning the listing's error, or null). The file is written whole or not at all: into
        /// a '.partial' file first, moved over <paramref name="givenPath"/> only when the listing
        /// completed, so a failed or stopped listing leaves an earlier file as it was.
        /// </summary>
        internal static void Export(VcsCmdlet cmdlet, string givenPath, string[] header, string action, object server, Func<CsvExport, LibraryError> fill)
        {
            string path = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(givenPath);
            if (!cmdlet.ShouldProcess(path, action)) return;
            string partial = path + ".partial";
            LibraryError failure;
            int count;
            try
            {
                using (var csv = new CsvExport(partial, header))
                {
                    failure = fill(csv);
                    count = csv.Count;
                }
                if (failure == null) File.Move(partial, path, true);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                var error = new IOException("-Path " + givenPath + ": " + e.Message, e);
                cmdlet.ThrowTerminatingError(new ErrorRecord(error, "Vcs.invalidArgument", ErrorCategory.WriteError, path));
                return;
            }
            finally
            {
                if (File.Exists(partial)) File.Delete(partial);
            }
            if (failure != null) cmdlet.ThrowTerminatingError(failure.ToErrorRecord(server));
            cmdlet.WriteVerbose(count + " users written to " + path);
            cmdlet.WriteObject(new FileInfo(path));
        }
    }
}
