using System;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace VcsNative.Bench
{
    /// <summary>
    /// The library alone in a .NET process: vcs_connect, then vcs_get_users for every user, timed;
    /// the answer is measured and freed unread. Get-VcsUser's time minus this is the engine's and
    /// the module's share.
    /// </summary>
    internal static unsafe class NativeListing
    {
        internal static void Run(string library, string url, string token, Action<string, double> figure)
        {
            IntPtr lib = NativeLibrary.Load(library);
            var connect = (delegate* unmanaged[Cdecl]<byte*, IntPtr*, byte**, int>)NativeLibrary.GetExport(lib, "vcs_connect");
            var getUsers = (delegate* unmanaged[Cdecl]<IntPtr, byte*, byte**, int>)NativeLibrary.GetExport(lib, "vcs_get_users");
            var free = (delegate* unmanaged[Cdecl]<byte*, void>)NativeLibrary.GetExport(lib, "vcs_string_free");

            byte[] options = Encoding.UTF8.GetBytes("{\"server\": \"" + url + "\", \"apiToken\": \"" + token + "\"}\0");
            IntPtr connection;
            byte* answer;
            var clock = Stopwatch.StartNew();
            int status;
            fixed (byte* o = options) status = connect(o, &connection, &answer);
            free(answer);
            if (status != 0) throw new InvalidOperationException("vcs_connect failed with status " + status);
            figure("abiConnectMs", clock.Elapsed.TotalMilliseconds);

            clock.Restart();
            status = getUsers(connection, null, &answer);
            figure("abiUsersMs", clock.Elapsed.TotalMilliseconds);
            if (status != 0) throw new InvalidOperationException("vcs_get_users failed with status " + status);
            figure("answerBytes", MemoryMarshal.CreateReadOnlySpanFromNullTerminated(answer).Length);
            figure("rssAnswerKib", Program.Status("VmRSS"));
            free(answer);
        }
    }
}
