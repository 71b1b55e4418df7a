using System;
using System.Management.Automation;
using System.Text.Json.Serialization;
using VcsNative;
using VMware.CloudServices.Types.V1;

namespace VMware.CloudServices.Impl.V1.CmdletOutput
{
    /// <summary>A connection to one CSP organization (Connect-Vcs). Holds the library's handle.</summary>
    public sealed class VcsServerImpl : IVcsServer, ISharedSession
    {
        internal VcsServerImpl(ConnectionInfo info, VcsConnectionHandle handle, bool isDefault)
        {
            Handle = handle;
            IsDefault = isDefault;
            Name = info.Server;
            ServiceUri = new Uri(info.Url);
            Port = ServiceUri.Port;
            User = info.User;
            OrganizationId = info.OrgId;
            OrganizationName = info.OrgName;
            Uid = info.Uid;
            AuthenticationType = info.AuthType;
            RefCount = 1;
        }

        internal VcsConnectionHandle Handle { get; }

        /// <summary>Whether commands without -Server use this connection ($DefaultVcsServers).</summary>
        internal bool IsDefault { get; }

        public string Name { get; }

        /// <summary>The name again, as PowerCLI's connection tables call it.</summary>
        public string Server => Name;
        public Uri ServiceUri { get; }
        public int Port { get; }
        public string User { get; }
        public string OrganizationId { get; }
        public string OrganizationName { get; }
        public string AuthenticationType { get; }
        public string Uid { get; }
        public string Id => Uid;
        public bool IsConnected => !Handle.IsClosed;
        public int RefCount { get; internal set; }

        /// <summary>Always empty: secrets stay in the library.</summary>
        public string SessionSecret => null;
        public PSObject CisResource => null;
        public PSObject CisResourceState => null;

        public override string ToString() => Name;

        NativeConnectionHandle ISharedSession.Handle => Handle;
        bool ISharedSession.IsDefault => IsDefault;
        int ISharedSession.RefCount { get => RefCount; set => RefCount = value; }
    }
}

namespace VcsNative
{
    /// <summary>vcs_connect's answer.</summary>
    internal sealed class ConnectionInfo
    {
        public string Server { get; set; }
        public string Url { get; set; }
        public string OrgId { get; set; }
        public string OrgName { get; set; }
        public string User { get; set; }
        public string AuthType { get; set; }
        public string ApiTokenPreview { get; set; }
        public string AppId { get; set; }
        public string Uid { get; set; }
    }
}
