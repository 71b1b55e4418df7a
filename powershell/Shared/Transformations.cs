using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Security;
using VMware.CloudServices.Impl.V1.CmdletOutput;
using VMware.CloudServices.Types.V1;

namespace VcsNative
{
    /// <summary>
    /// Lets a secret parameter (SecureString) also take text, as PowerCLI's do: scripts pass
    /// `-ApiToken $token` and CSV rows carry passwords as text. The text becomes a SecureString at once.
    /// </summary>
    public sealed class SecureStringTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object value = inputData is PSObject ps ? ps.BaseObject : inputData;
            if (value is string text)
            {
                var secure = new SecureString();
                foreach (char c in text) secure.AppendChar(c);
                secure.MakeReadOnly();
                return secure;
            }
            return value;
        }
    }

    /// <summary>
    /// Lets -Server take connection objects or names, wildcards allowed, matched against this
    /// session's connections. A name that matches none is refused, naming the connected servers.
    /// $null means the default servers, as PowerCLI documents; with none connected it is refused.
    /// </summary>
    public sealed class VcsServerTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            SessionConnections connections = SessionConnections.Current;
            if (ServerNames.IsNull(inputData)) return ServerNames.Defaults(connections.DefaultCsp, "CSP server", "Connect-Vcs");
            return ServerNames.Resolve<IVcsServer>(inputData, "CSP server", connections.Csp.Select(s => (s.Name, (IVcsServer)s)));
        }
    }

    /// <summary>-Server of the Cloud Director commands: sessions or their names (wildcards allowed); $null: the default ones.</summary>
    public sealed class VcdServerTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            SessionConnections connections = SessionConnections.Current;
            if (ServerNames.IsNull(inputData)) return ServerNames.Defaults(connections.DefaultVcd, "Cloud Director", "Connect-Vcd");
            return ServerNames.Resolve<VcdServer>(inputData, "Cloud Director", connections.Vcd.Select(s => (s.Name, s)));
        }
    }

    internal static class ServerNames
    {
        /// <summary>A $null argument (AutomationNull too); an empty array is not $null and stays refused.</summary>
        internal static bool IsNull(object inputData) => inputData == null || (inputData is PSObject ps && ps.BaseObject == null);

        internal static T[] Defaults<T>(T[] defaults, string kind, string connect)
        {
            if (defaults.Length == 0)
            {
                throw new ArgumentTransformationMetadataException("-Server $null means the default servers, and no " + kind + " is connected: run " + connect + " first.");
            }
            return defaults;
        }

        internal static object Resolve<T>(object inputData, string kind, IEnumerable<(string Name, T Server)> live) where T : class
        {
            var result = new List<T>();
            foreach (object item in Items(inputData))
            {
                object value = item is PSObject ps ? ps.BaseObject : item;
                if (value is T server) { result.Add(server); continue; }
                if (!(value is string name))
                {
                    // Left to the binder, which names the parameter and the type it wanted.
                    return inputData;
                }
                var pattern = WildcardPattern.Get(name, WildcardOptions.IgnoreCase);
                var matches = live.Where(s => pattern.IsMatch(s.Name)).Select(s => s.Server).ToList();
                if (matches.Count == 0)
                {
                    string connected = string.Join(", ", live.Select(s => s.Name).Distinct());
                    throw new ArgumentTransformationMetadataException("No connected " + kind + " matches '" + name + "'"
                        + (connected.Length == 0 ? "; none is connected." : "; connected: " + connected + "."));
                }
                foreach (T m in matches) if (!result.Contains(m)) result.Add(m);
            }
            return result.ToArray();
        }

        private static IEnumerable Items(object inputData)
        {
            object value = inputData is PSObject ps ? ps.BaseObject : inputData;
            if (value is IEnumerable list && !(value is string)) return list;
            return new[] { inputData };
        }
    }
}
