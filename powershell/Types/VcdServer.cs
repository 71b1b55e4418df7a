using System;

namespace VcsNative
{
    /// <summary>A Cloud Director session (Connect-Vcd). Holds the library's handle.</summary>
    public sealed class VcdServer : ISharedSession
    {
        internal VcdServer(VcdSessionInfo info, VcdConnectionHandle handle, bool isDefault)
        {
            Handle = handle;
            IsDefault = isDefault;
            Name = info.Server;
            ServiceUri = new Uri(info.Url);
            Org = info.Org;
            OrgId = info.OrgId;
            User = info.User;
            UserId = info.UserId;
            Roles = info.Roles ?? Array.Empty<string>();
            IsProvider = info.Provider;
            ApiVersion = info.ApiVersion;
            AuthenticationType = info.AuthType;
            RefCount = 1;
        }

        internal VcdConnectionHandle Handle { get; }

        /// <summary>Whether commands without -Server use this session ($DefaultVcdServers).</summary>
        internal bool IsDefault { get; }

        public string Name { get; }
        public Uri ServiceUri { get; }
        public string Org { get; }
        public string OrgId { get; }
        public string User { get; }
        public string UserId { get; }
        public string[] Roles { get; }
        public bool IsProvider { get; }
        public string ApiVersion { get; }
        public string AuthenticationType { get; }
        public bool IsConnected => !Handle.IsClosed;

        /// <summary>How many Connect-Vcd calls share this session; Disconnect-Vcd counts down (-Force closes at once).</summary>
        public int RefCount { get; internal set; }

        public override string ToString() => Name;

        NativeConnectionHandle ISharedSession.Handle => Handle;
        bool ISharedSession.IsDefault => IsDefault;
        int ISharedSession.RefCount { get => RefCount; set => RefCount = value; }
    }

    /// <summary>vcd_connect's answer.</summary>
    internal sealed class VcdSessionInfo
    {
        public string Server { get; set; }
        public string Url { get; set; }
        public string Org { get; set; }
        public string OrgId { get; set; }
        public string User { get; set; }
        public string UserId { get; set; }
        public string[] Roles { get; set; }
        public bool Provider { get; set; }
        public string ApiVersion { get; set; }
        public string AuthType { get; set; }
    }
}
