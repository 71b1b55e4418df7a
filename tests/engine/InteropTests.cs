using System;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using VMware.CloudServices.Impl.V1.CmdletOutput;
using Xunit;

namespace VcsNative.Engine.Tests
{
    /// <summary>The interop is internal: scripts reach no pointer and no handle; calls hold their connection.</summary>
    public sealed class InteropTests
    {
        [Fact]
        public void Scripts_cannot_reach_the_native_functions()
        {
            using var ps = new PsSession();
            RunResult r = ps.Run("[VcsNative.NativeMethods]::vcs_string_free([IntPtr]16)");
            Assert.Contains("TypeNotFound", r.OnlyError.FullyQualifiedErrorId);
            foreach (string type in new[] { "VcsNative.Vcs", "VcsNative.VcsConnectionHandle", "VcsNative.SavedTokenNativeMethods", "VcsNative.NativeString" })
            {
                Assert.Equal("False", ps.Ok("[bool]('" + type + "' -as [type])").Single().ToString());
            }
        }

        [Fact]
        public void Nothing_public_takes_or_returns_a_pointer_or_a_handle()
        {
            Assembly module = typeof(VcsServerImpl).Assembly;
            var offending = module.GetExportedTypes()
                .SelectMany(t => t.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly).Select(m => (t, m)))
                .Where(x => Types(x.m).Any(Unsafe))
                .Select(x => x.t.FullName + "." + x.m.Name)
                .ToList();
            Assert.Empty(offending);
            Assert.DoesNotContain(module.GetExportedTypes(), t => typeof(SafeHandle).IsAssignableFrom(t));
        }

        private static bool Unsafe(Type t) => t == typeof(IntPtr) || t == typeof(UIntPtr) || t.IsPointer || typeof(SafeHandle).IsAssignableFrom(t);

        private static Type[] Types(MemberInfo m) => m switch
        {
            MethodInfo mi => mi.GetParameters().Select(p => p.ParameterType.IsByRef ? p.ParameterType.GetElementType() : p.ParameterType).Append(mi.ReturnType).ToArray(),
            PropertyInfo pi => new[] { pi.PropertyType },
            FieldInfo fi => new[] { fi.FieldType },
            ConstructorInfo ci => ci.GetParameters().Select(p => p.ParameterType).ToArray(),
            _ => Array.Empty<Type>(),
        };

        [Fact]
        public async Task A_disconnect_during_a_call_waits_for_it_and_later_calls_say_not_connected()
        {
            using var emu = new Emulator(users: 5);
            using var ps = new PsSession(); // importing the module points the interop at the native library
            Vcs.Connect(JsonSerializer.Serialize(new { server = emu.Url, apiToken = emu.ApiToken }), out VcsConnectionHandle connection);
            Assert.NotNull(connection);
            emu.Control("/_emulator/faults", "{\"method\": \"GET\", \"path\": \"/csp/gateway/am/api/orgs/*/roles\", \"latencyMs\": 800}");
            Task<VcsOrganizationRoleImpl[]> call = Task.Run(() =>
            {
                VcsOrganizationRoleImpl[] roles = NativeAnswer.Call(NativeMethods.vcs_get_organization_roles, connection, null, WireJson.Default.VcsOrganizationRoleImplArray, out LibraryError e);
                Assert.Null(e);
                return roles;
            });
            Thread.Sleep(300);
            connection.Dispose();
            Assert.Same(call, await Task.WhenAny(call, Task.Delay(TimeSpan.FromSeconds(10))));
            Assert.NotEmpty(await call);
            NativeAnswer.Call(NativeMethods.vcs_get_organization_roles, connection, null, WireJson.Default.VcsOrganizationRoleImplArray, out LibraryError after);
            Assert.Equal("notConnected", after.Category);
        }

        [Fact]
        public void A_grown_request_buffer_leaves_no_copy_of_the_secret()
        {
            var secret = new System.Security.SecureString();
            foreach (char c in "s3cret-TOKEN") secret.AppendChar(c);
            var request = new RequestJson();
            request.Secret("apiToken", secret);
            byte[] first = request.Buffer.Array;
            Assert.Contains("s3cret-TOKEN", System.Text.Encoding.UTF8.GetString(first));
            request.String("padding", new string('x', 5000));
            request.ToBytes();
            Assert.NotSame(first, request.Buffer.Array);
            Assert.All(first, b => Assert.Equal(0, b));
            byte[] last = request.Buffer.Array;
            request.Dispose();
            Assert.All(last, b => Assert.Equal(0, b));
        }
    }
}
