using System;
using System.Management.Automation;
using System.Text.Json.Serialization.Metadata;
using System.Threading;

namespace VcsNative
{
    /// <summary>vcs_connect or vcd_connect.</summary>
    internal delegate VcsStatus NativeConnect<THandle>(byte[] optionsJson, out THandle connection, out IntPtr outJson);

    /// <summary>
    /// One run of Connect-Vcs or Connect-Vcd: the login on a worker, which the cmdlet's
    /// StopProcessing (<see cref="Stop"/>) ends at once, and the library's error as the cmdlet's
    /// terminating error.
    /// </summary>
    internal sealed class ConnectCall
    {
        private readonly CancellationTokenSource stop = new CancellationTokenSource();

        internal void Stop() => stop.Cancel();

        /// <summary>EndProcessing: the cmdlet's connect, guarded; the stop is freed after it.</summary>
        internal void Run(PSCmdlet cmdlet, object server, Action connect)
        {
            try
            {
                Connecting.Guard(cmdlet, server, connect);
            }
            finally
            {
                stop.Dispose();
            }
        }

        /// <summary>
        /// Logs in with <paramref name="options"/> (which it wipes) and reads the library's answer;
        /// a connection made after a stop is closed on the worker, never returned.
        /// </summary>
        internal (THandle Handle, TInfo Info) Login<THandle, TInfo>(PSCmdlet cmdlet, object server, RequestJson options, NativeConnect<THandle> connect, JsonTypeInfo<TInfo> answer)
            where THandle : NativeConnectionHandle
        {
            (THandle handle, TInfo info, LibraryError error) = Connecting.Run(options, bytes =>
            {
                VcsStatus status = connect(bytes, out THandle h, out IntPtr json);
                h = Vcs.Kept(status, h);
                TInfo i = NativeAnswer.Read(status, json, answer, out LibraryError e);
                if (e != null) h?.Dispose();
                return (h, i, e);
            }, r => r.Item1?.Dispose(), stop.Token);
            if (error != null) cmdlet.ThrowTerminatingError(Connecting.ToErrorRecord(error, "Server", server));
            return (handle, info);
        }
    }
}
