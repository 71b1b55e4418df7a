using System.IO;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace VcsNative.Engine.Tests
{
    /// <summary>
    /// The tests check the module's own types (IVcsUser, ...): they resolve to the assembly in the
    /// built module folder, the same file Import-Module loads, so there is one copy of each type.
    /// </summary>
    internal static class ModuleTypes
    {
        [ModuleInitializer]
        internal static void ResolveFromModuleFolder()
        {
            AssemblyLoadContext.Default.Resolving += (context, name) =>
            {
                string path = Path.Combine(Paths.ModuleDir, name.Name + ".dll");
                return name.Name == "VcsNative.Commands" && File.Exists(path) ? context.LoadFromAssemblyPath(path) : null;
            };
        }
    }
}
