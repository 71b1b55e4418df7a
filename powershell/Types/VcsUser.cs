using System;
using System.Runtime.CompilerServices;
using System.Text.Json;
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
        public string[] OrganizationRoles { get; set; }

        /// <summary>Whether the user holds org_owner.</summary>
        public bool IsOrganizationOwner => OrganizationRoles != null && System.Array.IndexOf(OrganizationRoles, "org_owner") >= 0;
        public VcsServiceRoleGrant[] ServiceRoles { get; set; }

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

        /// <summary>
        /// One user of vcs_get_users' answer, read in place (NativeAnswer.ReadEach). Names, roles and
        /// services repeat from user to user: they are shared, not allocated once per user.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static VcsUserImpl Read(ref Utf8JsonReader reader, Utf8Strings strings)
        {
            if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("expected a user, found " + reader.TokenType + ".");
            var user = new VcsUserImpl();
            ReadOnlySpan<byte> id = default, username = default;
            // The library's property names are plain ASCII (never escaped); unknown ones are skipped.
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                ReadOnlySpan<byte> name = reader.ValueSpan;
                reader.Read();
                if (name.SequenceEqual("id"u8))
                {
                    user.Id = reader.GetString();
                    if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped) id = reader.ValueSpan;
                }
                else if (name.SequenceEqual("username"u8))
                {
                    user.Username = reader.GetString();
                    if (reader.TokenType == JsonTokenType.String) username = reader.ValueSpan;
                }
                else if (name.SequenceEqual("email"u8))
                {
                    // Mostly the same text as the username: then the same string.
                    bool sameAsUsername = reader.TokenType == JsonTokenType.String && user.Username != null && reader.ValueSpan.SequenceEqual(username);
                    user.Email = sameAsUsername ? user.Username : reader.GetString();
                }
                else if (name.SequenceEqual("name"u8)) user.Name = reader.GetString();
                else if (name.SequenceEqual("firstName"u8)) user.FirstName = strings.Get(ref reader);
                else if (name.SequenceEqual("lastName"u8)) user.LastName = strings.Get(ref reader);
                else if (name.SequenceEqual("organizationRoles"u8)) user.OrganizationRoles = JsonArrays.Strings(ref reader, strings);
                else if (name.SequenceEqual("serviceRoles"u8)) user.ServiceRoles = JsonArrays.Of(ref reader, strings, VcsServiceRoleGrant.Read);
                else if (name.SequenceEqual("uid"u8)) ReadUid(ref reader, user, id, strings);
                else reader.Skip();
            }
            return user;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void ReadUid(ref Utf8JsonReader reader, VcsUserImpl user, ReadOnlySpan<byte> id, Utf8Strings strings)
        {
            if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && id.Length > 0)
            {
                ReadOnlySpan<byte> uid = reader.ValueSpan;
                int prefix = uid.Length - id.Length - 1;
                if (prefix > 0 && uid[uid.Length - 1] == (byte)'/' && uid.Slice(prefix, id.Length).SequenceEqual(id))
                {
                    user.uidPrefix = strings.Get(uid.Slice(0, prefix));
                    user.uidId = user.Id;
                    return;
                }
            }
            user.Uid = reader.GetString();
        }
    }

    /// <summary>The roles a user or an invitation holds in one service.</summary>
    public sealed class VcsServiceRoleGrant
    {
        public string ServiceId { get; set; }
        public string ServiceName { get; set; }
        public string[] Roles { get; set; }

        public override string ToString() => ServiceName + ": " + string.Join(", ", Roles ?? System.Array.Empty<string>());

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static VcsServiceRoleGrant Read(ref Utf8JsonReader reader, Utf8Strings strings)
        {
            if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("expected a service role grant, found " + reader.TokenType + ".");
            var grant = new VcsServiceRoleGrant();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                ReadOnlySpan<byte> name = reader.ValueSpan;
                reader.Read();
                if (name.SequenceEqual("serviceId"u8)) grant.ServiceId = strings.Get(ref reader);
                else if (name.SequenceEqual("serviceName"u8)) grant.ServiceName = strings.Get(ref reader);
                else if (name.SequenceEqual("roles"u8)) grant.Roles = JsonArrays.Strings(ref reader, strings);
                else reader.Skip();
            }
            return grant;
        }
    }
}
