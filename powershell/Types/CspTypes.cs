// The CSP types under PowerCLI's full names, so a PowerCLI script's type constraints and `-is`
// checks keep working. The output classes (VMware.CloudServices.Impl.V1...) implement them, and
// their class names are what format views and PSTypeNames see, as in PowerCLI.
using System;
using System.Management.Automation;

namespace VMware.CloudServices.Types.V1
{
    public interface IVcsServer
    {
        PSObject CisResource { get; }
        PSObject CisResourceState { get; }
        string Id { get; }
        bool IsConnected { get; }
        string Name { get; }
        int Port { get; }
        int RefCount { get; }
        Uri ServiceUri { get; }
        string SessionSecret { get; }
        string Uid { get; }
        string User { get; }
    }

    /// <summary>
    /// PowerCLI's names and values. WebApp and ServiceApp, this module's earlier names, stay as
    /// aliases of equal value so old scripts still bind; the object shows PowerCLI's name.
    /// </summary>
    public enum VcsOAuthSecurityContextType
    {
        ApiToken = 0,
        Service = 1,
        WebBrowser = 2,
        ServiceApp = Service,
        WebApp = WebBrowser,
    }

    /// <summary>An OAuth security context (New-VcsOAuthSecurityContext): what Connect-Vcs signs in with.</summary>
    public interface VcsOAuthSecurityContext
    {
        string ApiTokenPreview { get; }
        string AppId { get; }
        VcsOAuthSecurityContextType Type { get; }
        string VcsServer { get; }
    }
}

namespace VMware.CloudServices.Types.V1.CmdletOutput
{
    public interface IVcsUser
    {
        string Email { get; }
        string Id { get; }
        string Name { get; }
        string Uid { get; }
        string Username { get; }
    }

    public enum UserInvitationStatusEnum
    {
        Available,
        Redeemed,
        Revoked,
        Unknown,
    }

    public interface IVcsUserInvitation
    {
        string CreatedBy { get; }
        DateTime? CreatedDate { get; }
        DateTime? ExpiredDate { get; }
        string Id { get; }
        string Name { get; }
        string RedeemedBy { get; }
        DateTime? RedeemedDate { get; }
        UserInvitationStatusEnum Status { get; }
        string Uid { get; }
    }

    public interface IVcsService
    {
        string Description { get; }
        string Id { get; }
        string Name { get; }
        string SelfLink { get; }
        string Uid { get; }
    }

    public interface IVcsOrganizationRole
    {
        string Id { get; }
        string Name { get; }
        string DisplayName { get; }
        string Uid { get; }
    }

    public interface IVcsServiceRole
    {
        string Id { get; }
        string Name { get; }
        string DisplayName { get; }
        string ServiceId { get; }
        string ServiceName { get; }
        string Uid { get; }
    }
}
