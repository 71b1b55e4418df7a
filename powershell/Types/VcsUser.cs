using System;
using System.Runtime.CompilerServices;
using VcsNative;
using VMware.CloudServices.Types.V1;
using VMware.CloudServices.Types.V1.CmdletOutput;

namespace VMware.CloudServices.Impl.V1.CmdletOutput
{
    /// <summary>A user of a CSP organization (Get-VcsUser).</summary>
    public sealed class VcsUserImpl : IVcsUser
    {
        public string Id { get; set; }
        public string Name { get; set; }
        public string Username { get; set; }
        public string Email { get; set; }
        public string FirstName { get; set; }
        public string LastName { get; set; }
        /// <summary>The organization roles held. Each read gets its own copy where a listing shares one array among the users holding the same roles.</summary>
        public string[] OrganizationRoles
        {
            get => rolesShared ? (string[])organizationRoles?.Clone() : organizationRoles;
            set
            {
                organizationRoles = value;
                rolesShared = false;
            }
        }

        /// <summary>Whether the user holds org_owner.</summary>
        public bool IsOrganizationOwner => organizationRoles != null && System.Array.IndexOf(organizationRoles, "org_owner") >= 0;

        /// <summary>The service roles held, by service; a shared listing value is copied for each read, as above.</summary>
        public VcsServiceRoleGrant[] ServiceRoles
        {
            get => grantsShared ? VcsServiceRoleGrant.Copy(serviceRoles) : serviceRoles;
            set
            {
                serviceRoles = value;
                grantsShared = false;
            }
        }

        /// <summary>The service roles without a copy, for the module's own readers (Export-VcsUser): never changed in place.</summary>
        internal VcsServiceRoleGrant[] ServiceRoleGrants => serviceRoles;

        /// <summary>The organization roles without a copy, as <see cref="ServiceRoleGrants"/>.</summary>
        internal string[] OrganizationRoleNames => organizationRoles;

        // 100,000 users hold a handful of distinct role sets: a listing reads each set once and the
        // users share it (Utf8Strings.Repeated), which halves the memory and the collector's work of
        // keeping them; the getters hand out copies, so no script can change one user's roles
        // through another's.
        private string[] organizationRoles;
        private VcsServiceRoleGrant[] serviceRoles;
        private bool rolesShared;
        private bool grantsShared;

        public string Uid
        {
            get => uid ?? (uidPrefix == null ? null : uidPrefix + uidId + "/");
            set
            {
                uid = value;
                uidPrefix = null;
            }
        }

        // A listing's uids are "<the connection's uid>VcsUser=<id>/": the prefix is shared by all its
        // users, so the uid is kept as prefix and id (two references instead of a long string each).
        private string uid;
        private string uidPrefix;
        private string uidId;

        /// <summary>The connection the user was read from; commands given the user act there.</summary>
        [System.Text.Json.Serialization.JsonIgnore]
        public IVcsServer Server { get; internal set; }

        public override string ToString() => Username;

        /// <summary>The reader of vcs_get_users' answers and cursor pages.</summary>
        internal static readonly PageReader<VcsUserImpl> Page = NativeAnswer.Scanned<VcsUserImpl>(Read);

        private static readonly ScanReader<string[]> RoleNames = ScanArrays.Strings;
        private static readonly ScanReader<VcsServiceRoleGrant[]> RoleGrants =
            (ref Utf8Scanner scanner, Utf8Strings strings) => ScanArrays.Of(ref scanner, strings, VcsServiceRoleGrant.Read);

        /// <summary>
        /// One user of a page, read in place with the module's scanner. Names and roles repeat from
        /// user to user: they are shared, not allocated once per user.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static VcsUserImpl Read(ref Utf8Scanner scanner, Utf8Strings strings)
        {
            var user = new VcsUserImpl();
            ReadOnlySpan<byte> id = default, username = default;
            scanner.BeginObject();
            bool first = true;
            // The library's property names are plain ASCII (never escaped); unknown ones are skipped.
            while (scanner.NextProperty(ref first, out ReadOnlySpan<byte> name))
            {
                if (name.SequenceEqual("id"u8)) user.Id = scanner.String(out id);
                else if (name.SequenceEqual("username"u8)) user.Username = scanner.String(out username);
                else if (name.SequenceEqual("email"u8))
                {
                    // Mostly the same text as the username: then the same string.
                    if (user.Username != null && scanner.TryPlainString(out ReadOnlySpan<byte> email))
                        user.Email = email.Length > 0 && email.SequenceEqual(username) ? user.Username : scanner.Decode(email);
                    else
                        user.Email = scanner.String();
                }
                else if (name.SequenceEqual("name"u8)) user.Name = scanner.String();
                else if (name.SequenceEqual("firstName"u8)) user.FirstName = scanner.String(strings);
                else if (name.SequenceEqual("lastName"u8)) user.LastName = scanner.String(strings);
                else if (name.SequenceEqual("organizationRoles"u8))
                {
                    user.organizationRoles = strings.Repeated(ref scanner, RoleNames);
                    user.rolesShared = true;
                }
                else if (name.SequenceEqual("serviceRoles"u8))
                {
                    user.serviceRoles = strings.Repeated(ref scanner, RoleGrants);
                    user.grantsShared = true;
                }
                else if (name.SequenceEqual("uid"u8)) ReadUid(ref scanner, user, id, strings);
                else scanner.Skip();
            }
            return user;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void ReadUid(ref Utf8Scanner scanner, VcsUserImpl user, ReadOnlySpan<byte> id, Utf8Strings strings)
        {
            if (id.Length > 0 && scanner.TryPlainString(out ReadOnlySpan<byte> uid))
            {
                int prefix = uid.Length - id.Length - 1;
                if (prefix > 0 && uid[uid.Length - 1] == (byte)'/' && uid.Slice(prefix, id.Length).SequenceEqual(id))
                {
                    user.uidPrefix = strings.Get(uid.Slice(0, prefix));
                    user.uidId = user.Id;
                }
                else
                {
                    user.Uid = scanner.Decode(uid);
                }
                return;
            }
            user.Uid = scanner.String();
        }
    }

    /// <summary>The roles a user or an invitation holds in one service.</summary>
    public sealed class VcsServiceRoleGrant
    {
        public string ServiceId { get; set; }
        public string ServiceName { get; set; }
        public string[] Roles { get; set; }

        public override string ToString() => ServiceName + ": " + string.Join(", ", Roles ?? System.Array.Empty<string>());

        /// <summary>Copies of the grants and their role arrays (for a user's getter: see VcsUserImpl).</summary>
        internal static VcsServiceRoleGrant[] Copy(VcsServiceRoleGrant[] grants)
        {
            if (grants == null) return null;
            var copy = new VcsServiceRoleGrant[grants.Length];
            for (int i = 0; i < grants.Length; i++)
            {
                VcsServiceRoleGrant g = grants[i];
                copy[i] = g == null ? null : new VcsServiceRoleGrant { ServiceId = g.ServiceId, ServiceName = g.ServiceName, Roles = (string[])g.Roles?.Clone() };
            }
            return copy;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static VcsServiceRoleGrant Read(ref Utf8Scanner scanner, Utf8Strings strings)
        {
            var grant = new VcsServiceRoleGrant();
            scanner.BeginObject();
            bool first = true;
            while (scanner.NextProperty(ref first, out ReadOnlySpan<byte> name))
            {
                if (name.SequenceEqual("serviceId"u8)) grant.ServiceId = scanner.String(strings);
                else if (name.SequenceEqual("serviceName"u8)) grant.ServiceName = scanner.String(strings);
                else if (name.SequenceEqual("roles"u8)) grant.Roles = ScanArrays.Strings(ref scanner, strings);
                else scanner.Skip();
            }
            return grant;
        }
    }
}
