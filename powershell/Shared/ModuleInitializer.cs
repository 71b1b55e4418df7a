using System;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

[assembly: InternalsVisibleTo("VcsNative.Engine.Tests")]
// The benchmark host times the module's page reader without the engine (bench/powershell/NativeListing.cs).
[assembly: InternalsVisibleTo("PsBench")]

namespace VcsNative
{
    /// <summary>
    /// At import: finds this platform's native library in the module folder and points the interop
    /// at it. At Remove-Module: disconnects the connections of the runspace that removes it.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        public void OnRemove(PSModuleInfo psModuleInfo)
        {
            SessionConnections.DisconnectCurrent();
        }

        public void OnImport()
        {
            Vcs.Initialize(NativeLibraryPath());
            PublishEmptyDefaults();
        }

        /// <summary>&lt;module&gt;/&lt;os&gt;-&lt;arch&gt;/&lt;file&gt;, e.g. linux-x64/libvcs_native.so.</summary>
        internal static string NativeLibraryPath()
        {
            string os, file;
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) { os = "win"; file = "vcs_native.dll"; }
            else if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX)) { os = "osx"; file = "libvcs_native.dylib"; }
            else { os = "linux"; file = "libvcs_native.so"; }
            string arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
            string folder = Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location);
            string path = Path.Combine(folder, os + "-" + arch, file);
            if (!File.Exists(path))
            {
                throw new FileNotFoundException("VcsNative: the native library for " + os + "-" + arch + " is missing: " + path
                    + ". Build the module with `dotnet build powershell -c Release` on this platform.", path);
            }
            return path;
        }

        // Scripts under Set-StrictMode may read $DefaultVcsServers before any connect. The import
        // runs on the pipeline's thread, where $ExecutionContext is the importing session's engine.
        private static void PublishEmptyDefaults()
        {
            if (Runspace.DefaultRunspace == null) return;
            var engine = (EngineIntrinsics)ScriptBlock.Create("$ExecutionContext").Invoke()[0].BaseObject;
            PSVariableIntrinsics variables = engine.SessionState.PSVariable;
            if (variables.GetValue("global:DefaultVcsServers") == null) variables.Set("global:DefaultVcsServers", Array.Empty<VMware.CloudServices.Types.V1.IVcsServer>());
            if (variables.GetValue("global:DefaultVcdServers") == null) variables.Set("global:DefaultVcdServers", Array.Empty<VcdServer>());
        }
    }
}
