using System;
using System.Linq;

namespace VcsNative
{
    /// <summary>
    /// A Cloud Director user as PowerCLI's Get-CIUser shows it (VMware.VimAutomation.Cloud): the
    /// same user as VcdUser, under PowerCLI's property names. Never holds a password.
    /// </summary>
    public sealed class CIUser
    {
        internal CIUser(VcdUser user)
        {
            User = user;
            Server = user.Server;
            Role = user.RoleRefs?.FirstOrDefault();
            Href = VcdHref.Of(Server, "users", user.Id);
            Uid = VcdHref.Uid(Server, "CIUser", user.Id);
        }

        /// <summary>The library's user, for the Vcd commands.</summary>
        internal VcdUser User { get; }

        public string Name => User.Username;
        public string FullName => User.FullName;
        public string Email => User.Email;
        public bool Enabled => User.Enabled;
        public bool Locked => User.Locked;
        /// <summary>The organization, as PowerCLI an object: `$user.Org.Name` works, and the table shows the name.</summary>
        public VcdEntityRef Org => User.OrgRef;

        /// <summary>The user's role (Cloud Director gives a user one); its Name and Id.</summary>
        public VcdEntityRef Role { get; }

        public string Description => User.Description;
        public int? StoredVMQuota => User.StoredVmQuota;
        public int? DeployedVMQuota => User.DeployedVmQuota;
        public string ProviderType => User.ProviderType;
        public string Id => User.Id;

        /// <summary>The user's CloudAPI address on its server.</summary>
        public string Href { get; }

        public string Uid { get; }

        /// <summary>The session the user was read from.</summary>
        public VcdServer Server { get; }

        public override string ToString() => Name;
    }

    /// <summary>A Cloud Director role as PowerCLI's Get-CIRole shows it.</summary>
    public sealed class CIRole
    {
        internal CIRole(VcdRole role)
        {
            Role = role;
            Href = VcdHref.Of(role.Server, "roles", role.Id);
            Uid = VcdHref.Uid(role.Server, "CIRole", role.Id);
        }

        internal VcdRole Role { get; }

        public string Name => Role.Name;
        public string Description => Role.Description;
        public bool ReadOnly => Role.ReadOnly;
        public string Id => Role.Id;
        public string Href { get; }
        public string Uid { get; }
        public VcdServer Server => Role.Server;

        public override string ToString() => Name;
    }

    internal static class VcdHref
    {
        /// <summary>The CloudAPI address of an object: what the library read it from.</summary>
        internal static string Of(VcdServer server, string collection, string id) =>
            server == null || id == null ? null : server.ServiceUri.AbsoluteUri.TrimEnd('/') + "/cloudapi/1.0.0/" + collection + "/" + id;

        /// <summary>PowerCLI-style unique id: the session, then the object.</summary>
        internal static string Uid(VcdServer server, string kind, string id) =>
            "/CIServer=" + (server == null ? "" : server.User + "@" + server.Org + "@" + server.Name) + "/" + kind + "=" + id + "/";
    }
}
