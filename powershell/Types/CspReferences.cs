// What a CSP parameter holds when the caller named something as text instead of passing an object
// from a Get- command: the text goes to the library, which resolves it (ids, names, wildcard
// patterns). Each implements the parameter's interface, so one parameter takes both.
using System;
using VMware.CloudServices.Types.V1.CmdletOutput;

namespace VcsNative
{
    /// <summary>A user named by id, username, email or wildcard pattern.</summary>
    public sealed class VcsUserReference : IVcsUser
    {
        internal VcsUserReference(string text) => Text = text;

        public string Text { get; }
        public string Name => Text;
        string IVcsUser.Id => null;
        string IVcsUser.Username => null;
        string IVcsUser.Email => null;
        string IVcsUser.Uid => null;

        public override string ToString() => Text;
    }

    /// <summary>An invitation named by its id.</summary>
    public sealed class VcsUserInvitationReference : IVcsUserInvitation
    {
        internal VcsUserInvitationReference(string id) => Id = id;

        public string Id { get; }
        string IVcsUserInvitation.Name => null;
        string IVcsUserInvitation.CreatedBy => null;
        DateTime? IVcsUserInvitation.CreatedDate => null;
        DateTime? IVcsUserInvitation.ExpiredDate => null;
        string IVcsUserInvitation.RedeemedBy => null;
        DateTime? IVcsUserInvitation.RedeemedDate => null;
        UserInvitationStatusEnum IVcsUserInvitation.Status => UserInvitationStatusEnum.Unknown;
        string IVcsUserInvitation.Uid => null;

        public override string ToString() => Id;
    }

    /// <summary>A service named by id, technical name or display name (wildcards allowed).</summary>
    public sealed class VcsServiceReference : IVcsService
    {
        internal VcsServiceReference(string name) => Name = name;

        public string Name { get; }
        string IVcsService.Id => null;
        string IVcsService.Description => null;
        string IVcsService.SelfLink => null;
        string IVcsService.Uid => null;

        public override string ToString() => Name;
    }

    /// <summary>An organization role named by its name (org_member).</summary>
    public sealed class VcsOrganizationRoleReference : IVcsOrganizationRole
    {
        internal VcsOrganizationRoleReference(string name) => Name = name;

        public string Name { get; }
        string IVcsOrganizationRole.Id => null;
        string IVcsOrganizationRole.DisplayName => null;
        string IVcsOrganizationRole.Uid => null;

        public override string ToString() => Name;
    }

    /// <summary>A service role named without its service (nsx:cloud_admin): the library finds the service.</summary>
    public sealed class VcsServiceRoleReference : IVcsServiceRole
    {
        internal VcsServiceRoleReference(string name) => Name = name;

        public string Name { get; }
        string IVcsServiceRole.Id => null;
        string IVcsServiceRole.DisplayName => null;
        string IVcsServiceRole.ServiceId => null;
        string IVcsServiceRole.ServiceName => null;
        string IVcsServiceRole.Uid => null;

        public override string ToString() => Name;
    }
}
