// P/Invoke declarations for the vcs-native C ABI and a small safe wrapper around them.
// The PowerShell module (powershell/VcsNative.csproj) compiles this file, and the C# host test
// compiles the same file with Mono's mcs and with .NET, so every host uses one interop layer.
// Keep it plain C# that mcs accepts: no spans, no newer syntax.
//
// Rules kept here: the connection is a SafeHandle released with vcs_disconnect; every returned
// string comes back as an IntPtr, is copied as UTF-8 and then freed with vcs_string_free (never
// marshalled as `string`, whose marshaller would free it with the wrong allocator); input strings
// go in as NUL-terminated UTF-8 bytes.

using System;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace VcsNative
{
    /// <summary>Status of a call: the VcsStatus enum of include/vcs_native.h.</summary>
    public enum VcsStatus
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
    public static class NativeMethods
    {
        public const string Library = "vcs_native";

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern IntPtr vcs_version();

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern void vcs_string_free(IntPtr s);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcs_connect(byte[] optionsJson, out IntPtr connection, out IntPtr outJson);

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
        public static extern VcsStatus vcd_connect(byte[] optionsJson, out IntPtr connection, out IntPtr outJson);

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

    /// <summary>A connection made by vcs_connect; disposing it calls vcs_disconnect once.</summary>
    public sealed class VcsConnectionHandle : SafeHandle
    {
        public VcsConnectionHandle() : base(IntPtr.Zero, true) { }

        internal VcsConnectionHandle(IntPtr handle) : base(IntPtr.Zero, true)
        {
            SetHandle(handle);
        }

        public override bool IsInvalid
        {
            get { return handle == IntPtr.Zero; }
        }

        protected override bool ReleaseHandle()
        {
            return NativeMethods.vcs_disconnect(handle) == VcsStatus.Ok;
        }
    }

    /// <summary>A Cloud Director session made by vcd_connect; disposing it calls vcd_disconnect once.</summary>
    public sealed class VcdConnectionHandle : SafeHandle
    {
        public VcdConnectionHandle() : base(IntPtr.Zero, true) { }

        internal VcdConnectionHandle(IntPtr handle) : base(IntPtr.Zero, true)
        {
            SetHandle(handle);
        }

        public override bool IsInvalid
        {
            get { return handle == IntPtr.Zero; }
        }

        protected override bool ReleaseHandle()
        {
            return NativeMethods.vcd_disconnect(handle) == VcsStatus.Ok;
        }
    }

    /// <summary>What a call returned: its status and its JSON (result, report or error).</summary>
    public sealed class VcsResult
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

    public static class Vcs
    {
        private static IntPtr loadedLibrary = IntPtr.Zero;
        // Runspaces may import the module at the same time; the resolver can be set only once.
        private static readonly object initializeLock = new object();

        /// <summary>
        /// Points the loader at the native library by absolute path (the module's per-platform
        /// folder), so no LD_LIBRARY_PATH or PATH change is needed. On .NET Core this registers a
        /// DllImport resolver; on Mono, whose loader looks beside the assembly, it preloads the file.
        /// </summary>
        public static void Initialize(string libraryPath)
        {
            lock (initializeLock)
            {
                InitializeOnce(libraryPath);
            }
        }

        private static void InitializeOnce(string libraryPath)
        {
            if (loadedLibrary != IntPtr.Zero) return;
            Type nativeLibrary = Type.GetType("System.Runtime.InteropServices.NativeLibrary");
            if (nativeLibrary == null) return;
            MethodInfo load = nativeLibrary.GetMethod("Load", new[] { typeof(string) });
            loadedLibrary = (IntPtr)load.Invoke(null, new object[] { libraryPath });
            Type resolverType = Type.GetType("System.Runtime.InteropServices.DllImportResolver");
            MethodInfo resolve = typeof(Vcs).GetMethod("Resolve", BindingFlags.NonPublic | BindingFlags.Static);
            Delegate resolver = Delegate.CreateDelegate(resolverType, resolve);
            MethodInfo set = nativeLibrary.GetMethod("SetDllImportResolver");
            set.Invoke(null, new object[] { typeof(Vcs).Assembly, resolver });
        }

        private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
        {
            return name == NativeMethods.Library ? loadedLibrary : IntPtr.Zero;
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
            if (p == IntPtr.Zero) return null;
            try
            {
                int len = 0;
                while (Marshal.ReadByte(p, len) != 0) len++;
                byte[] bytes = new byte[len];
                Marshal.Copy(p, bytes, 0, len);
                return Encoding.UTF8.GetString(bytes);
            }
            finally
            {
                NativeMethods.vcs_string_free(p);
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
            IntPtr raw, json;
            VcsStatus status = NativeMethods.vcs_connect(Utf8(optionsJson), out raw, out json);
            connection = status == VcsStatus.Ok ? new VcsConnectionHandle(raw) : null;
            return new VcsResult(status, Take(json));
        }

        public static VcsResult NewOAuthSecurityContext(string optionsJson)
        {
            IntPtr json;
            VcsStatus status = NativeMethods.vcs_new_oauth_security_context(Utf8(optionsJson), out json);
            return new VcsResult(status, Take(json));
        }

        public static VcsResult ConnectionInfo(VcsConnectionHandle c)
        {
            IntPtr json;
            VcsStatus status = NativeMethods.vcs_connection_info(c, out json);
            return new VcsResult(status, Take(json));
        }

        private delegate VcsStatus Call(VcsConnectionHandle c, byte[] json, out IntPtr outJson);

        private static VcsResult Invoke(Call call, VcsConnectionHandle c, string json)
        {
            IntPtr outJson;
            VcsStatus status = call(c, Utf8(json), out outJson);
            return new VcsResult(status, Take(outJson));
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
    public static class Vcd
    {
        public static VcsResult Connect(string optionsJson, out VcdConnectionHandle connection)
        {
            IntPtr raw, json;
            VcsStatus status = NativeMethods.vcd_connect(Vcs.Utf8(optionsJson), out raw, out json);
            connection = status == VcsStatus.Ok ? new VcdConnectionHandle(raw) : null;
            return new VcsResult(status, Vcs.Take(json));
        }

        private delegate VcsStatus Call(VcdConnectionHandle c, byte[] json, out IntPtr outJson);

        private static VcsResult Invoke(Call call, VcdConnectionHandle c, string json)
        {
            IntPtr outJson;
            VcsStatus status = call(c, Vcs.Utf8(json), out outJson);
            return new VcsResult(status, Vcs.Take(outJson));
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
    public static class SavedTokenNativeMethods
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
    public static class VcsSavedTokenStore
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
    public static class JobNativeMethods
    {
        [DllImport(NativeMethods.Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcs_job_new(out IntPtr job);

        [DllImport(NativeMethods.Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcs_job_cancel(VcsJobHandle job);

        [DllImport(NativeMethods.Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcs_job_progress(VcsJobHandle job, UIntPtr from, out IntPtr outJson);

        [DllImport(NativeMethods.Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcs_job_free(IntPtr job);

        [DllImport(NativeMethods.Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcs_connection_with_job(VcsConnectionHandle connection, VcsJobHandle job, out IntPtr derived, out IntPtr outJson);

        [DllImport(NativeMethods.Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern VcsStatus vcd_connection_with_job(VcdConnectionHandle connection, VcsJobHandle job, out IntPtr derived, out IntPtr outJson);
    }

    /// <summary>A job made by vcs_job_new; disposing it calls vcs_job_free once.</summary>
    public sealed class VcsJobHandle : SafeHandle
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
    public static class VcsJobs
    {
        public static VcsJobHandle New()
        {
            IntPtr raw;
            return JobNativeMethods.vcs_job_new(out raw) == VcsStatus.Ok ? new VcsJobHandle(raw) : null;
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
            IntPtr raw, json;
            VcsStatus status = JobNativeMethods.vcs_connection_with_job(c, job, out raw, out json);
            derived = status == VcsStatus.Ok ? new VcsConnectionHandle(raw) : null;
            return new VcsResult(status, Vcs.Take(json));
        }

        public static VcsResult WithJob(VcdConnectionHandle c, VcsJobHandle job, out VcdConnectionHandle derived)
        {
            IntPtr raw, json;
            VcsStatus status = JobNativeMethods.vcd_connection_with_job(c, job, out raw, out json);
            derived = status == VcsStatus.Ok ? new VcdConnectionHandle(raw) : null;
            return new VcsResult(status, Vcs.Take(json));
        }
    }

    // ---- Cursors: listings page by page, cancellable from another thread, with progress --------

    /// <summary>The cursor functions of the C ABI (vcs_get_users_open, vcs_cursor_next, ...).</summary>
    public static class NativeCursorMethods
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
    public sealed class VcsCursorHandle : SafeHandle
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
    public sealed class VcsCursor : IDisposable
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
            if (!handle.IsClosed) NativeCursorMethods.vcs_cursor_cancel(handle);
        }

        public void Dispose()
        {
            handle.Dispose();
        }
    }

    /// <summary>Opens cursors over users, invitations and Cloud Director users.</summary>
    public static class VcsCursors
    {
        private delegate VcsStatus Open<T>(T connection, byte[] json, out VcsCursorHandle cursor, out IntPtr outJson);

        private static VcsResult OpenWith<T>(Open<T> open, T connection, string json, out VcsCursor cursor)
        {
            VcsCursorHandle raw;
            IntPtr outJson;
            VcsStatus status = open(connection, Vcs.Utf8(json), out raw, out outJson);
            // The handle is received straight into a SafeHandle: nothing can leak between the call and here.
            cursor = status == VcsStatus.Ok && raw != null && !raw.IsInvalid ? new VcsCursor(raw) : null;
            if (cursor == null && raw != null) raw.Dispose();
            return new VcsResult(status, Vcs.Take(outJson));
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
    public static class SyncNativeMethods
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
    public static class VcsSync
    {
        public static VcsResult SetUserRoles(VcsConnectionHandle c, string requestJson)
        {
            IntPtr json;
            VcsStatus status = SyncNativeMethods.vcs_set_user_roles(c, Vcs.Utf8(requestJson), out json);
            return new VcsResult(status, Vcs.Take(json));
        }

        public static VcsResult PlanSync(VcsConnectionHandle c, string requestJson)
        {
            IntPtr json;
            VcsStatus status = SyncNativeMethods.vcs_plan_sync(c, Vcs.Utf8(requestJson), out json);
            return new VcsResult(status, Vcs.Take(json));
        }

        public static VcsResult ApplyPlan(VcsConnectionHandle c, string requestJson)
        {
            IntPtr json;
            VcsStatus status = SyncNativeMethods.vcs_apply_plan(c, Vcs.Utf8(requestJson), out json);
            return new VcsResult(status, Vcs.Take(json));
        }

        public static VcsResult PlanVcdSync(VcdConnectionHandle c, string requestJson)
        {
            IntPtr json;
            VcsStatus status = SyncNativeMethods.vcd_plan_sync(c, Vcs.Utf8(requestJson), out json);
            return new VcsResult(status, Vcs.Take(json));
        }

        public static VcsResult ApplyVcdPlan(VcdConnectionHandle c, string requestJson)
        {
            IntPtr json;
            VcsStatus status = SyncNativeMethods.vcd_apply_plan(c, Vcs.Utf8(requestJson), out json);
            return new VcsResult(status, Vcs.Take(json));
        }
    }
}
