using System.Collections.Generic;
using System.Text.Json;
using VMware.CloudServices.Impl.V1.CmdletOutput;
using VMware.CloudServices.Types.V1;
using VMware.CloudServices.Types.V1.CmdletOutput;

namespace VcsNative
{
    /// <summary>
    /// The items a bulk command collected from the pipeline, grouped by the connection they go to,
    /// in the order the connections first appeared: EndProcessing makes one library call per group.
    /// </summary>
    internal sealed class PerServer<TServer, T> where TServer : class
    {
        private readonly List<(TServer Server, List<T> Items)> groups = new List<(TServer, List<T>)>();

        internal void Add(TServer server, T item)
        {
            foreach (var g in groups)
            {
                if (ReferenceEquals(g.Server, server))
                {
                    g.Items.Add(item);
                    return;
                }
            }
            groups.Add((server, new List<T> { item }));
        }

        internal IReadOnlyList<(TServer Server, List<T> Items)> Groups => groups;
    }

    internal static class ItemTargets
    {
        /// <summary>
        /// Where a piped object goes: -Server when given, else the connection the object was read
        /// from, else (text, or an object of no connection) the default connections.
        /// </summary>
        internal static IReadOnlyList<VcsServerImpl> TargetsFor(this VcsCmdlet cmdlet, IVcsServer[] given, IVcsServer own)
        {
            if (given == null && own != null) return cmdlet.CspTargets(new[] { own });
            return cmdlet.CspTargets(given);
        }

        /// <summary>
        /// One user of a request the library resolves (removals, role changes): text as typed (an
        /// id, username, email or pattern), a user object by its id and username.
        /// </summary>
        internal static void WriteUser(Utf8JsonWriter w, IVcsUser u)
        {
            if (u is VcsUserReference r)
            {
                w.WriteStringValue(r.Text);
                return;
            }
            w.WriteStartObject();
            if (u.Id != null) w.WriteString("id", u.Id);
            if (u.Username != null) w.WriteString("username", u.Username);
            w.WriteEndObject();
        }
    }
}
