using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using VMware.CloudServices.Impl.V1.CmdletOutput;

namespace VcsNative.Bench
{
    /// <summary>
    /// The listing without the engine, in a .NET process: vcs_connect, then every user through the
    /// cursor (vcs_get_users_open, vcs_cursor_next until the end), as far as the stage says:
    ///   walk    each page's bytes summed where they lie: what Get-VcsUser waits for
    ///   parse   each page read by the module's own reader (VcsUserImpl.Page), the users dropped
    ///   keep    the same, the users kept in a list, as (Get-VcsUser).Count keeps them
    /// Get-VcsUser's time minus these splits the module's share: the library, reading, keeping
    /// 100,000 objects, and the engine's pipeline.
    /// </summary>
    internal static unsafe class NativeListing
    {
        internal static void Run(string stage, string url, string token, Action<string, double> figure)
        {
            IntPtr lib = NativeLibrary.Load(ModuleInitializer.NativeLibraryPath());
            var connect = (delegate* unmanaged[Cdecl]<byte*, IntPtr*, byte**, int>)NativeLibrary.GetExport(lib, "vcs_connect");
            var open = (delegate* unmanaged[Cdecl]<IntPtr, byte*, IntPtr*, byte**, int>)NativeLibrary.GetExport(lib, "vcs_get_users_open");
            var next = (delegate* unmanaged[Cdecl]<IntPtr, byte**, nuint*, byte**, int>)NativeLibrary.GetExport(lib, "vcs_cursor_next");
            var freeCursor = (delegate* unmanaged[Cdecl]<IntPtr, void>)NativeLibrary.GetExport(lib, "vcs_cursor_free");
            var free = (delegate* unmanaged[Cdecl]<byte*, void>)NativeLibrary.GetExport(lib, "vcs_string_free");

            byte[] options = Encoding.UTF8.GetBytes("{\"server\": \"" + url + "\", \"apiToken\": \"" + token + "\"}\0");
            IntPtr connection, cursor;
            byte* answer;
            var clock = Stopwatch.StartNew();
            int status;
            fixed (byte* o = options) status = connect(o, &connection, &answer);
            free(answer);
            if (status != 0) throw new InvalidOperationException("vcs_connect failed with status " + status);
            figure("abiConnectMs", clock.Elapsed.TotalMilliseconds);

            var kept = stage == "keep" ? new List<VcsUserImpl>() : null;
            var strings = new Utf8Strings();
            Action<VcsUserImpl> each = kept != null ? kept.Add : _ => { };
            long bytes = 0, users = 0, pages = 0;
            clock.Restart();
            status = open(connection, null, &cursor, &answer);
            free(answer);
            if (status != 0) throw new InvalidOperationException("vcs_get_users_open failed with status " + status);
            while (true)
            {
                byte* items;
                nuint len;
                status = next(cursor, &items, &len, &answer);
                free(answer);
                if (status != 0) throw new InvalidOperationException("vcs_cursor_next failed with status " + status);
                if (len == 0) break;
                pages++;
                bytes += (long)len;
                if (stage == "walk") continue;
                int n = VcsUserImpl.Page(new ReadOnlySpan<byte>(items, checked((int)len)), each, strings, out LibraryError error);
                if (n < 0) throw new InvalidOperationException(error.Message);
                users += n;
            }
            figure("cursorMs", clock.Elapsed.TotalMilliseconds);
            freeCursor(cursor);
            figure("pages", pages);
            figure("pageBytes", bytes);
            figure("users", kept?.Count ?? users);
            figure("rssListKib", Program.Status("VmRSS"));
            GC.KeepAlive(kept);
        }
    }
}
