// P/Invoke declarations for the vcs-native C ABI and a small safe wrapper around them.
// The PowerShell module (powershell/VcsNative.csproj) compiles this file, and the C# host test
// compiles the same file with Mono's mcs and with .NET, so every host uses one interop layer.
// Keep it plain C# that mcs accepts: no spans, no newer syntax.
//
// Rules kept here: everything is internal (scripts cannot reach a pointer or a handle; the module's
// tests see it through InternalsVisibleTo, the C# host compiles this file into its own assembly).
// Connections, jobs and cursors are received straight into SafeHandles (out XxxHandle in the
// DllImport); every returned string is taken into a NativeString (a SafeHandle freed with
// vcs_string_free, never marshalled as `string`, whose marshaller would use the wrong allocator);
// the wrappers hold a reference on the connection across the call and the read of its answer.
// Input strings go in as NUL-terminated UTF-8 bytes.

using System;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace VcsNative
{
    /// <summary>Status of a call: the VcsStatus enum of include/vcs_native.h.</summary>
    internal enum VcsStatus
    {
        Ok = 0,
        InvalidArgument = 1,
        Authentication = 2,
        Permission = 3,
        NotFound = 4,
        Conflict = 5,
        RateLimited = 6,
        Server = 7,
        Network = 8,
        Timeout = 9,
        Protocol = 10,
        Internal = 11,
        Panic = 12,
        PartialFailure = 13,
        Cancelled = 14,
    }

    /// <summary>
    /// The C functions themselves, for hosts that parse the answer where it lies: every
    /// <c>out IntPtr outJson</c> must be given back with <see cref="Vcs.Free"/>.
    /// </summary>
    internal static class NativeMethods
    {
        public const string Library = "vcs_native";

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern IntPtr vcs_version();

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern void vcs_string_free(IntPtr s);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcs_connect(byte[] optionsJson, out VcsConnectionHandle connection, out IntPtr outJson);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcs_disconnect(IntPtr connection);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcs_connection_info(VcsConnectionHandle connection, out IntPtr outJson);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcs_new_oauth_security_context(byte[] optionsJson, out IntPtr outJson);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcs_get_organization_roles(VcsConnectionHandle connection, byte[] queryJson, out IntPtr outJson);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcs_get_services(VcsConnectionHandle connection, byte[] queryJson, out IntPtr outJson);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcs_get_service_roles(VcsConnectionHandle connection, byte[] queryJson, out IntPtr outJson);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcs_get_users(VcsConnectionHandle connection, byte[] queryJson, out IntPtr outJson);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcs_remove_users(VcsConnectionHandle connection, byte[] requestJson, out IntPtr outJson);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcs_get_user_invitations(VcsConnectionHandle connection, byte[] queryJson, out IntPtr outJson);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcs_new_user_invitations(VcsConnectionHandle connection, byte[] requestJson, out IntPtr outJson);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcs_remove_user_invitations(VcsConnectionHandle connection, byte[] requestJson, out IntPtr outJson);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcd_connect(byte[] optionsJson, out VcdConnectionHandle connection, out IntPtr outJson);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcd_disconnect(IntPtr connection);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcd_get_users(VcdConnectionHandle connection, byte[] queryJson, out IntPtr outJson);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcd_get_user(VcdConnectionHandle connection, byte[] userId, out IntPtr outJson);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcd_new_user(VcdConnectionHandle connection, byte[] requestJson, out IntPtr outJson);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcd_set_user(VcdConnectionHandle connection, byte[] requestJson, out IntPtr outJson);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcd_remove_users(VcdConnectionHandle connection, byte[] requestJson, out IntPtr outJson);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcd_get_roles(VcdConnectionHandle connection, byte[] queryJson, out IntPtr outJson);
    }

    /// <summary>
    /// A connection handle (CSP or Cloud Director). Released once, by Dispose or the finalizer: a
    /// release on the finalizer thread is handed to the thread pool, because a Cloud Director
    /// logout waits on the network and must never block finalization. Calls hold a reference
    /// (DangerousAddRef) while they run, so a Dispose on another thread frees only after them.
    /// </summary>
    internal abstract class NativeConnectionHandle : SafeHandle
    {
        private volatile bool finalizing;

        protected NativeConnectionHandle() : base(IntPtr.Zero, true) { }

        public override bool IsInvalid
        {
            get { return handle == IntPtr.Zero; }
        }

        protected override void Dispose(bool disposing)
        {
            if (!disposing) finalizing = true;
            base.Dispose(disposing);
        }

        protected abstract VcsStatus Disconnect(IntPtr h);

        protected override bool ReleaseHandle()
        {
            IntPtr h = handle;
            if (finalizing)
            {
                System.Threading.ThreadPool.QueueUserWorkItem(delegate { Disconnect(h); });
                return true;
            }
            return Disconnect(h) == VcsStatus.Ok;
        }

        /// <summary>
        /// Disconnects on a worker thread and waits at most <paramref name="bound"/>: true if it
        /// finished in time. The handle is closed for callers either way; a logout that outlasts
        /// the bound finishes in the background.
        /// </summary>
        public bool DisconnectWithin(TimeSpan bound)
        {
            if (IsClosed) return true;
            System.Threading.Tasks.Task t = System.Threading.Tasks.Task.Run(delegate { Dispose(); });
            return t.Wait(bound);
        }
    }

    /// <summary>A connection made by vcs_connect; disposing it calls vcs_disconnect once.</summary>
    internal sealed class VcsConnectionHandle : NativeConnectionHandle
    {
        public VcsConnectionHandle() { }

        protected override VcsStatus Disconnect(IntPtr h)
        {
            return NativeMethods.vcs_disconnect(h);
        }
    }

    /// <summary>A Cloud Director session made by vcd_connect; disposing it calls vcd_disconnect (logout) once.</summary>
    internal sealed class VcdConnectionHandle : NativeConnectionHandle
    {
        public VcdConnectionHandle() { }

        protected override VcsStatus Disconnect(IntPtr h)
        {
            return NativeMethods.vcd_disconnect(h);
        }
    }

    /// <summary>
    /// A string the library returned (out char **out_json), given back with vcs_string_free once,
    /// even if the reader throws or the thread is aborted.
    /// </summary>
    internal sealed class NativeString : SafeHandle
    {
        public NativeString() : base(IntPtr.Zero, true) { }

        internal NativeString(IntPtr p) : base(IntPtr.Zero, true)
        {
            SetHandle(p);
        }

        public override bool IsInvalid
        {
            get { return handle == IntPtr.Zero; }
        }

        /// <summary>The address of the text, valid until Dispose (for readers that parse in place).</summary>
        internal IntPtr Address
        {
            get { return handle; }
        }

        /// <summary>The text copied as UTF-8; null for no answer.</summary>
        internal string Read()
        {
            if (IsInvalid || IsClosed) return null;
            int len = 0;
            while (Marshal.ReadByte(handle, len) != 0) len++;
            byte[] bytes = new byte[len];
            Marshal.Copy(handle, bytes, 0, len);
            return Encoding.UTF8.GetString(bytes);
        }

        protected override bool ReleaseHandle()
        {
            NativeMethods.vcs_string_free(handle);
            return true;
        }
    }

    /// <summary>Holds a reference on a handle across a native call and the read of its answer.</summary>
    internal struct HeldHandle : IDisposable
    {
        private readonly SafeHandle held;

        /// <summary>Takes a reference; throws ObjectDisposedException when the handle is closed.</summary>
        internal HeldHandle(SafeHandle handle)
        {
            bool added = false;
            if (handle != null) handle.DangerousAddRef(ref added);
            held = added ? handle : null;
        }

        public void Dispose()
        {
            if (held != null) held.DangerousRelease();
        }
    }

    /// <summary>What a call returned: its status and its JSON (result, report or error).</summary>
    internal sealed class VcsResult
    {
        public VcsStatus Status { get; private set; }
        public string Json { get; private set; }

        public VcsResult(VcsStatus status, string json)
        {
            Status = status;
            Json = json;
        }

        public bool IsOk { get { return Status == VcsStatus.Ok; } }

        /// <summary>A bulk call that ran: all items succeeded, or some did (the JSON is the report).</summary>
        public bool IsReport { get { return Status == VcsStatus.Ok || Status == VcsStatus.PartialFailure; } }
    }

    internal static class Vcs
    {
        private static IntPtr loadedLibrary = IntPtr.Zero;
        private static string libraryFile;
        private static MethodInfo loadLibrary;
        // Runspaces may import the module at the same time; the resolver can be set only once.
        private static readonly object initializeLock = new object();

        /// <summary>
        /// Points the loader at the native library by absolute path (the module's per-platform
        /// folder), so no LD_LIBRARY_PATH or PATH change is needed: on .NET Core this registers a
        /// DllImport resolver; Mono's loader looks beside the assembly, so there it does nothing.
        /// The library itself (10 MB) is loaded at the first call into it, not here at import,
        /// where loading it was a quarter of the module's import time. NativeLibrary is reached by
        /// reflection because Mono's mcs, which compiles this file for the C# host, lacks it.
        /// </summary>
        public static void Initialize(string libraryPath)
        {
            lock (initializeLock)
            {
                if (libraryFile != null) return;
                Type nativeLibrary = Type.GetType("System.Runtime.InteropServices.NativeLibrary");
                if (nativeLibrary == null) return;
                loadLibrary = nativeLibrary.GetMethod("Load", new[] { typeof(string) });
                Type resolverType = Type.GetType("System.Runtime.InteropServices.DllImportResolver");
                MethodInfo resolve = typeof(Vcs).GetMethod("Resolve", BindingFlags.NonPublic | BindingFlags.Static);
                Delegate resolver = Delegate.CreateDelegate(resolverType, resolve);
                nativeLibrary.GetMethod("SetDllImportResolver").Invoke(null, new object[] { typeof(Vcs).Assembly, resolver });
                libraryFile = libraryPath;
            }
        }

        private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
        {
            if (name != NativeMethods.Library) return IntPtr.Zero;
            lock (initializeLock)
            {
                if (loadedLibrary != IntPtr.Zero) return loadedLibrary;
                try
                {
                    loadedLibrary = (IntPtr)loadLibrary.Invoke(null, new object[] { libraryFile });
                }
                catch (TargetInvocationException e)
                {
                    // The loader's own exception (DllNotFoundException, BadImageFormatException), not reflection's wrapper.
                    throw e.InnerException ?? e;
                }
                return loadedLibrary;
            }
        }

        /// <summary>A string as NUL-terminated UTF-8, as every function of the library takes it.</summary>
        public static byte[] Utf8(string s)
        {
            if (s == null) return null;
            byte[] text = Encoding.UTF8.GetBytes(s);
            byte[] z = new byte[text.Length + 1];
            Buffer.BlockCopy(text, 0, z, 0, text.Length);
            return z;
        }

        /// <summary>Gives a string the library returned back to it (vcs_string_free). Zero is ignored.</summary>
        public static void Free(IntPtr p)
        {
            if (p != IntPtr.Zero) NativeMethods.vcs_string_free(p);
        }

        /// <summary>Copies a library string as UTF-8 and frees it with vcs_string_free.</summary>
        internal static string Take(IntPtr p)
        {
            using (NativeString answer = new NativeString(p))
            {
                return answer.Read();
            }
        }

        public static string Version
        {
            get
            {
                IntPtr p = NativeMethods.vcs_version();
                int len = 0;
                while (Marshal.ReadByte(p, len) != 0) len++;
                byte[] bytes = new byte[len];
                Marshal.Copy(p, bytes, 0, len);
                return Encoding.UTF8.GetString(bytes);
            }
        }

        public static VcsResult Connect(string optionsJson, out VcsConnectionHandle connection)
        {
            IntPtr json;
            VcsStatus status = NativeMethods.vcs_connect(Utf8(optionsJson), out connection, out json);
            connection = Kept(status, connection);
            return new VcsResult(status, Take(json));
        }

        /// <summary>The handle a call returned if it succeeded, else null (an invalid handle disposed).</summary>
        internal static T Kept<T>(VcsStatus status, T handle) where T : SafeHandle
        {
            if (status == VcsStatus.Ok && handle != null && !handle.IsInvalid) return handle;
            if (handle != null) handle.Dispose();
            return null;
        }

        public static VcsResult NewOAuthSecurityContext(string optionsJson)
        {
            IntPtr json;
            VcsStatus status = NativeMethods.vcs_new_oauth_security_context(Utf8(optionsJson), out json);
            return new VcsResult(status, Take(json));
        }

        public static VcsResult ConnectionInfo(VcsConnectionHandle c)
        {
            using (new HeldHandle(c))
            {
                IntPtr json;
                VcsStatus status = NativeMethods.vcs_connection_info(c, out json);
                return new VcsResult(status, Take(json));
            }
        }

        private delegate VcsStatus Call(VcsConnectionHandle c, byte[] json, out IntPtr outJson);

        private static VcsResult Invoke(Call call, VcsConnectionHandle c, string json)
        {
            using (new HeldHandle(c))
            {
                IntPtr outJson;
                VcsStatus status = call(c, Utf8(json), out outJson);
                return new VcsResult(status, Take(outJson));
            }
        }

        public static VcsResult GetOrganizationRoles(VcsConnectionHandle c, string queryJson) { return Invoke(NativeMethods.vcs_get_organization_roles, c, queryJson); }
        public static VcsResult GetServices(VcsConnectionHandle c, string queryJson) { return Invoke(NativeMethods.vcs_get_services, c, queryJson); }
        public static VcsResult GetServiceRoles(VcsConnectionHandle c, string queryJson) { return Invoke(NativeMethods.vcs_get_service_roles, c, queryJson); }
        public static VcsResult GetUsers(VcsConnectionHandle c, string queryJson) { return Invoke(NativeMethods.vcs_get_users, c, queryJson); }
        public static VcsResult RemoveUsers(VcsConnectionHandle c, string requestJson) { return Invoke(NativeMethods.vcs_remove_users, c, requestJson); }
        public static VcsResult GetUserInvitations(VcsConnectionHandle c, string queryJson) { return Invoke(NativeMethods.vcs_get_user_invitations, c, queryJson); }
        public static VcsResult NewUserInvitations(VcsConnectionHandle c, string requestJson) { return Invoke(NativeMethods.vcs_new_user_invitations, c, requestJson); }
        public static VcsResult RemoveUserInvitations(VcsConnectionHandle c, string requestJson) { return Invoke(NativeMethods.vcs_remove_user_invitations, c, requestJson); }
    }

    /// <summary>The Cloud Director functions (vcd_*), with the same rules as <see cref="Vcs"/>.</summary>
    internal static class Vcd
    {
        public static VcsResult Connect(string optionsJson, out VcdConnectionHandle connection)
        {
            IntPtr json;
            VcsStatus status = NativeMethods.vcd_connect(Vcs.Utf8(optionsJson), out connection, out json);
            connection = Vcs.Kept(status, connection);
            return new VcsResult(status, Vcs.Take(json));
        }

        private delegate VcsStatus Call(VcdConnectionHandle c, byte[] json, out IntPtr outJson);

        private static VcsResult Invoke(Call call, VcdConnectionHandle c, string json)
        {
            using (new HeldHandle(c))
            {
                IntPtr outJson;
                VcsStatus status = call(c, Vcs.Utf8(json), out outJson);
                return new VcsResult(status, Vcs.Take(outJson));
            }
        }

        public static VcsResult GetUsers(VcdConnectionHandle c, string queryJson) { return Invoke(NativeMethods.vcd_get_users, c, queryJson); }
        public static VcsResult GetUser(VcdConnectionHandle c, string userId) { return Invoke(NativeMethods.vcd_get_user, c, userId); }
        public static VcsResult NewUsers(VcdConnectionHandle c, string requestJson) { return Invoke(NativeMethods.vcd_new_user, c, requestJson); }
        public static VcsResult SetUser(VcdConnectionHandle c, string requestJson) { return Invoke(NativeMethods.vcd_set_user, c, requestJson); }
        public static VcsResult RemoveUsers(VcdConnectionHandle c, string requestJson) { return Invoke(NativeMethods.vcd_remove_users, c, requestJson); }
        public static VcsResult GetRoles(VcdConnectionHandle c, string queryJson) { return Invoke(NativeMethods.vcd_get_roles, c, queryJson); }
    }

    // ---- Saved API tokens (the library's store: save, list, load, forget) -------------------

    /// <summary>The saved-token functions of the C ABI; every outJson goes back through <see cref="Vcs.Free"/>.</summary>
    internal static class SavedTokenNativeMethods
    {
        [DllImport(NativeMethods.Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcs_saved_token_save(byte[] requestJson, out IntPtr outJson);

        [DllImport(NativeMethods.Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcs_saved_tokens_list(byte[] requestJson, out IntPtr outJson);

        [DllImport(NativeMethods.Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcs_saved_token_load(byte[] requestJson, out IntPtr outJson);

        [DllImport(NativeMethods.Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcs_saved_token_forget(byte[] requestJson, out IntPtr outJson);
    }

    /// <summary>
    /// Saved API tokens, one per server: <c>{"server", "apiToken", "file"}</c> requests (file
    /// optional; the default is the module's credentials.json). Load answers with the token itself.
    /// </summary>
    internal static class VcsSavedTokenStore
    {
        private delegate VcsStatus Call(byte[] json, out IntPtr outJson);

        private static VcsResult Invoke(Call call, string json)
        {
            IntPtr outJson;
            VcsStatus status = call(Vcs.Utf8(json), out outJson);
            return new VcsResult(status, Vcs.Take(outJson));
        }

        public static VcsResult Save(string requestJson) { return Invoke(SavedTokenNativeMethods.vcs_saved_token_save, requestJson); }
        public static VcsResult List(string requestJson) { return Invoke(SavedTokenNativeMethods.vcs_saved_tokens_list, requestJson); }
        public static VcsResult Load(string requestJson) { return Invoke(SavedTokenNativeMethods.vcs_saved_token_load, requestJson); }
        public static VcsResult Forget(string requestJson) { return Invoke(SavedTokenNativeMethods.vcs_saved_token_forget, requestJson); }
    }

    // ---- Jobs: cancelling and following bulk calls (vcs_job_*, *_connection_with_job) ----------

    /// <summary>The job entry points: make a job, derive a connection under it, cancel it from any thread, poll its progress.</summary>
    internal static class JobNativeMethods
    {
        [DllImport(NativeMethods.Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcs_job_new(out VcsJobHandle job);

        [DllImport(NativeMethods.Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcs_job_cancel(VcsJobHandle job);

        [DllImport(NativeMethods.Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcs_job_progress(VcsJobHandle job, UIntPtr from, out IntPtr outJson);

        [DllImport(NativeMethods.Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcs_job_free(IntPtr job);

        [DllImport(NativeMethods.Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcs_connection_with_job(VcsConnectionHandle connection, VcsJobHandle job, out VcsConnectionHandle derived, out IntPtr outJson);

        [DllImport(NativeMethods.Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcd_connection_with_job(VcdConnectionHandle connection, VcsJobHandle job, out VcdConnectionHandle derived, out IntPtr outJson);
    }

    /// <summary>A job made by vcs_job_new; disposing it calls vcs_job_free once.</summary>
    internal sealed class VcsJobHandle : SafeHandle
    {
        public VcsJobHandle() : base(IntPtr.Zero, true) { }

        internal VcsJobHandle(IntPtr handle) : base(IntPtr.Zero, true)
        {
            SetHandle(handle);
        }

        public override bool IsInvalid
        {
            get { return handle == IntPtr.Zero; }
        }

        protected override bool ReleaseHandle()
        {
            return JobNativeMethods.vcs_job_free(handle) == VcsStatus.Ok;
        }
    }

    /// <summary>
    /// Jobs for a cmdlet's StopProcessing: make one, run the bulk call on a connection derived
    /// with <see cref="WithJob(VcsConnectionHandle, VcsJobHandle, out VcsConnectionHandle)"/>, and
    /// call <see cref="Cancel"/> from the other thread; the call returns its report (PartialFailure,
    /// "cancelled": true). Disposing a derived connection never ends the shared session.
    /// </summary>
    internal static class VcsJobs
    {
        public static VcsJobHandle New()
        {
            VcsJobHandle job;
            VcsStatus status = JobNativeMethods.vcs_job_new(out job);
            return Vcs.Kept(status, job);
        }

        public static VcsStatus Cancel(VcsJobHandle job) { return JobNativeMethods.vcs_job_cancel(job); }

        /// <summary>{"operation", "done", "failed", "total", "cancelled", "items": [items finished since index from]}.</summary>
        public static VcsResult Progress(VcsJobHandle job, long from)
        {
            IntPtr json;
            VcsStatus status = JobNativeMethods.vcs_job_progress(job, new UIntPtr((ulong)from), out json);
            return new VcsResult(status, Vcs.Take(json));
        }

        public static VcsResult WithJob(VcsConnectionHandle c, VcsJobHandle job, out VcsConnectionHandle derived)
        {
            using (new HeldHandle(c))
            {
                IntPtr json;
                VcsStatus status = JobNativeMethods.vcs_connection_with_job(c, job, out derived, out json);
                derived = Vcs.Kept(status, derived);
                return new VcsResult(status, Vcs.Take(json));
            }
        }

        public static VcsResult WithJob(VcdConnectionHandle c, VcsJobHandle job, out VcdConnectionHandle derived)
        {
            using (new HeldHandle(c))
            {
                IntPtr json;
                VcsStatus status = JobNativeMethods.vcd_connection_with_job(c, job, out derived, out json);
                derived = Vcs.Kept(status, derived);
                return new VcsResult(status, Vcs.Take(json));
            }
        }
    }

    // ---- Cursors: listings page by page, cancellable from another thread, with progress --------

    /// <summary>The cursor functions of the C ABI (vcs_get_users_open, vcs_cursor_next, ...).</summary>
    internal static class NativeCursorMethods
    {
        [DllImport(NativeMethods.Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcs_get_users_open(VcsConnectionHandle connection, byte[] filterJson, out VcsCursorHandle cursor, out IntPtr outJson);

        [DllImport(NativeMethods.Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcs_get_user_invitations_open(VcsConnectionHandle connection, byte[] filterJson, out VcsCursorHandle cursor, out IntPtr outJson);

        [DllImport(NativeMethods.Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcd_get_users_open(VcdConnectionHandle connection, byte[] queryJson, out VcsCursorHandle cursor, out IntPtr outJson);

        /// <summary>*items is owned by the cursor until the next call: copy it before anything else.</summary>
        [DllImport(NativeMethods.Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcs_cursor_next(VcsCursorHandle cursor, out IntPtr items, out UIntPtr len, out IntPtr outJson);

        [DllImport(NativeMethods.Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcs_cursor_progress(VcsCursorHandle cursor, out IntPtr outJson);

        [DllImport(NativeMethods.Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern void vcs_cursor_cancel(VcsCursorHandle cursor);

        [DllImport(NativeMethods.Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern void vcs_cursor_free(IntPtr cursor);
    }

    /// <summary>
    /// A cursor made by one of the *_open functions; releasing it calls vcs_cursor_free once. A
    /// call in flight on another thread keeps it alive until that call returns, so a thread that
    /// must stop a waiting reader calls <see cref="VcsCursor.Cancel"/> first.
    /// </summary>
    internal sealed class VcsCursorHandle : SafeHandle
    {
        public VcsCursorHandle() : base(IntPtr.Zero, true) { }

        internal VcsCursorHandle(IntPtr handle) : base(IntPtr.Zero, true)
        {
            SetHandle(handle);
        }

        public override bool IsInvalid
        {
            get { return handle == IntPtr.Zero; }
        }

        protected override bool ReleaseHandle()
        {
            NativeCursorMethods.vcs_cursor_free(handle);
            return true;
        }
    }

    /// <summary>
    /// A listing read page by page (a cmdlet's ProcessRecord calls Next; its StopProcessing, on
    /// another thread, calls Cancel, and the waiting Next returns Cancelled at once).
    /// </summary>
    internal sealed class VcsCursor : IDisposable
    {
        private readonly VcsCursorHandle handle;

        internal VcsCursor(VcsCursorHandle handle)
        {
            this.handle = handle;
        }

        public bool IsClosed { get { return handle.IsClosed; } }

        /// <summary>
        /// The next page: <paramref name="items"/> receives its JSON array (null at the end); the
        /// result's JSON is the progress with the page's count, or the error.
        /// </summary>
        public VcsResult Next(out string items)
        {
            // The page belongs to the cursor: hold it until the page is copied.
            using (new HeldHandle(handle))
            {
                IntPtr raw, json;
                UIntPtr len;
                VcsStatus status = NativeCursorMethods.vcs_cursor_next(handle, out raw, out len, out json);
                items = null;
                if (status == VcsStatus.Ok && raw != IntPtr.Zero && len != UIntPtr.Zero)
                {
                    byte[] bytes = new byte[(int)len.ToUInt64()];
                    Marshal.Copy(raw, bytes, 0, bytes.Length);
                    items = Encoding.UTF8.GetString(bytes);
                }
                return new VcsResult(status, Vcs.Take(json));
            }
        }

        /// <summary>{"read", "scanned", "total", "pages", "finished", "cancelled"}; any thread.</summary>
        public VcsResult Progress()
        {
            IntPtr json;
            VcsStatus status = NativeCursorMethods.vcs_cursor_progress(handle, out json);
            return new VcsResult(status, Vcs.Take(json));
        }

        /// <summary>Stops the listing from any thread: a waiting or later Next returns Cancelled.</summary>
        public void Cancel()
        {
            try
            {
                NativeCursorMethods.vcs_cursor_cancel(handle);
            }
            catch (ObjectDisposedException)
            {
                // Already freed: nothing left to stop.
            }
        }

        public void Dispose()
        {
            handle.Dispose();
        }
    }

    /// <summary>Opens cursors over users, invitations and Cloud Director users.</summary>
    internal static class VcsCursors
    {
        private delegate VcsStatus Open<T>(T connection, byte[] json, out VcsCursorHandle cursor, out IntPtr outJson);

        private static VcsResult OpenWith<T>(Open<T> open, T connection, string json, out VcsCursor cursor) where T : SafeHandle
        {
            using (new HeldHandle(connection))
            {
                IntPtr outJson;
                VcsCursorHandle raw;
                VcsStatus status = open(connection, Vcs.Utf8(json), out raw, out outJson);
                raw = Vcs.Kept(status, raw);
                cursor = raw != null ? new VcsCursor(raw) : null;
                return new VcsResult(status, Vcs.Take(outJson));
            }
        }

        public static VcsResult OpenUsers(VcsConnectionHandle c, string filterJson, out VcsCursor cursor)
        {
            return OpenWith<VcsConnectionHandle>(NativeCursorMethods.vcs_get_users_open, c, filterJson, out cursor);
        }

        public static VcsResult OpenUserInvitations(VcsConnectionHandle c, string filterJson, out VcsCursor cursor)
        {
            return OpenWith<VcsConnectionHandle>(NativeCursorMethods.vcs_get_user_invitations_open, c, filterJson, out cursor);
        }

        public static VcsResult OpenVcdUsers(VcdConnectionHandle c, string queryJson, out VcsCursor cursor)
        {
            return OpenWith<VcdConnectionHandle>(NativeCursorMethods.vcd_get_users_open, c, queryJson, out cursor);
        }
    }


    // ---- Role changes and desired-state sync (vcs_set_user_roles, *_plan_sync, *_apply_plan) ----

    /// <summary>The C functions for role changes and sync; answers freed with <see cref="Vcs.Free"/>.</summary>
    internal static class SyncNativeMethods
    {
        [DllImport(NativeMethods.Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcs_set_user_roles(VcsConnectionHandle connection, byte[] requestJson, out IntPtr outJson);

        [DllImport(NativeMethods.Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcs_plan_sync(VcsConnectionHandle connection, byte[] requestJson, out IntPtr outJson);

        [DllImport(NativeMethods.Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcs_apply_plan(VcsConnectionHandle connection, byte[] requestJson, out IntPtr outJson);

        [DllImport(NativeMethods.Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcd_plan_sync(VcdConnectionHandle connection, byte[] requestJson, out IntPtr outJson);

        [DllImport(NativeMethods.Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcd_apply_plan(VcdConnectionHandle connection, byte[] requestJson, out IntPtr outJson);
    }

    /// <summary>
    /// Set-VcsUser, Sync-VcsUser and Sync-VcdUser over the C ABI. A plan is JSON to show (one row per
    /// line of the file: invite, setRoles, create, update, remove, revoke, refused, invalid) and to
    /// pass back unchanged to the apply call; reports hold one item per user or row.
    /// </summary>
    internal static class VcsSync
    {
        public static VcsResult SetUserRoles(VcsConnectionHandle c, string requestJson)
        {
            using (new HeldHandle(c))
            {
                IntPtr json;
                VcsStatus status = SyncNativeMethods.vcs_set_user_roles(c, Vcs.Utf8(requestJson), out json);
                return new VcsResult(status, Vcs.Take(json));
            }
        }

        public static VcsResult PlanSync(VcsConnectionHandle c, string requestJson)
        {
            using (new HeldHandle(c))
            {
                IntPtr json;
                VcsStatus status = SyncNativeMethods.vcs_plan_sync(c, Vcs.Utf8(requestJson), out json);
                return new VcsResult(status, Vcs.Take(json));
            }
        }

        public static VcsResult ApplyPlan(VcsConnectionHandle c, string requestJson)
        {
            using (new HeldHandle(c))
            {
                IntPtr json;
                VcsStatus status = SyncNativeMethods.vcs_apply_plan(c, Vcs.Utf8(requestJson), out json);
                return new VcsResult(status, Vcs.Take(json));
            }
        }

        public static VcsResult PlanVcdSync(VcdConnectionHandle c, string requestJson)
        {
            using (new HeldHandle(c))
            {
                IntPtr json;
                VcsStatus status = SyncNativeMethods.vcd_plan_sync(c, Vcs.Utf8(requestJson), out json);
                return new VcsResult(status, Vcs.Take(json));
            }
        }

        public static VcsResult ApplyVcdPlan(VcdConnectionHandle c, string requestJson)
        {
            using (new HeldHandle(c))
            {
                IntPtr json;
                VcsStatus status = SyncNativeMethods.vcd_apply_plan(c, Vcs.Utf8(requestJson), out json);
                return new VcsResult(status, Vcs.Take(json));
            }
        }
    }
}
