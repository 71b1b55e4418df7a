using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Threading.Tasks;
using VMware.CloudServices.Impl.V1.CmdletOutput;

namespace VcsNative
{
    /// <summary>Tab completion for -Server: the names of this session's CSP connections.</summary>
    public sealed class VcsServerCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            return Completion.Of(SessionConnections.Current.Csp.Where(s => s.IsConnected).Select(s => s.Name), wordToComplete);
        }
    }

    /// <summary>Tab completion for -Server of the Cloud Director commands.</summary>
    public sealed class VcdServerCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            return Completion.Of(SessionConnections.Current.Vcd.Where(s => s.IsConnected).Select(s => s.Name), wordToComplete);
        }
    }

    /// <summary>Tab completion for -OrganizationRole: the roles the connected organizations have.</summary>
    public sealed class OrganizationRoleCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var names = CompletionCache.Names(Completion.CspServers(fakeBoundParameters), "organizationRoles",
                s => Completion.Names<VcsConnectionHandle>(NativeMethods.vcs_get_organization_roles, s.Handle));
            return Completion.Of(names, wordToComplete);
        }
    }

    /// <summary>Tab completion for -ServiceRole: the service roles the connected organizations offer.</summary>
    public sealed class ServiceRoleCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var names = CompletionCache.Names(Completion.CspServers(fakeBoundParameters), "serviceRoles",
                s => Completion.Names<VcsConnectionHandle>(NativeMethods.vcs_get_service_roles, s.Handle));
            return Completion.Of(names, wordToComplete);
        }
    }

    /// <summary>Tab completion for -Role of the Cloud Director commands: the roles the org may give.</summary>
    public sealed class VcdRoleCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var servers = Completion.Given<VcdServer>(fakeBoundParameters) ?? SessionConnections.Current.DefaultVcd;
            var names = CompletionCache.Names(servers.Where(s => s.IsConnected), "vcdRoles",
                s => Completion.Names<VcdConnectionHandle>(NativeMethods.vcd_get_roles, s.Handle));
            return Completion.Of(names, wordToComplete);
        }
    }

    internal static class Completion
    {
        internal static IEnumerable<CompletionResult> Of(IEnumerable<string> names, string wordToComplete)
        {
            var pattern = WildcardPattern.Get((wordToComplete ?? "").Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
            return names.Where(n => pattern.IsMatch(n)).Distinct(StringComparer.OrdinalIgnoreCase).OrderBy(n => n, StringComparer.OrdinalIgnoreCase)
                .Select(n => new CompletionResult(Quote(n), n, CompletionResultType.ParameterValue, n));
        }

        private static string Quote(string name) =>
            name.IndexOfAny(new[] { ' ', '\'', '"', '$', '`', ';', ',', '(', ')', '{', '}', '@', '&', '#', '|' }) < 0 ? name : "'" + name.Replace("'", "''") + "'";

        /// <summary>Servers the command line names with -Server (objects only: names are not resolved while typing).</summary>
        internal static T[] Given<T>(IDictionary fakeBoundParameters) where T : class
        {
            object value = fakeBoundParameters?["Server"];
            if (value == null) return null;
            value = value is PSObject ps ? ps.BaseObject : value;
            if (value is T one) return new[] { one };
            if (value is IEnumerable list) return list.Cast<object>().Select(o => (o is PSObject p ? p.BaseObject : o) as T).Where(s => s != null).ToArray();
            return null;
        }

        internal static IEnumerable<VcsServerImpl> CspServers(IDictionary fakeBoundParameters)
        {
            IEnumerable<VcsServerImpl> servers = Given<VcsServerImpl>(fakeBoundParameters)
                ?? SessionConnections.Current.Csp.Where(s => s.IsDefault);
            return servers.Where(s => s.IsConnected);
        }

        /// <summary>The "name" of every object of an array answer; null on any error (completion never fails).</summary>
        internal static unsafe List<string> Names<THandle>(NativeCall<THandle> call, THandle handle)
        {
            var names = new List<string>();
            IntPtr json = IntPtr.Zero;
            try
            {
                if (call(handle, null, out json) != VcsStatus.Ok || json == IntPtr.Zero) return null;
                var reader = new Utf8JsonReader(MemoryMarshal.CreateReadOnlySpanFromNullTerminated((byte*)json));
                while (reader.Read())
                {
                    if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 2 && reader.ValueTextEquals("name"))
                    {
                        reader.Read();
                        if (reader.TokenType == JsonTokenType.String) names.Add(reader.GetString());
                    }
                }
            }
            catch (JsonException)
            {
                return null;
            }
            catch (ObjectDisposedException)
            {
                // Disconnected while the fetch ran in the background.
                return null;
            }
            finally
            {
                Vcs.Free(json);
            }
            return names;
        }
    }
}
