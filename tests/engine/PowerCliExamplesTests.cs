using System.Linq;
using System.Management.Automation;
using Xunit;

namespace VcsNative.Engine.Tests
{
    /// <summary>
    /// VMware's published PowerCLI examples, written out as published with only the servers (and
    /// the placeholders the pages leave to the reader: ids, org and role names) replaced by the
    /// emulator's. They run unchanged otherwise: no -Confirm:$false added where the page has none.
    /// </summary>
    public class PowerCliExamplesTests
    {
        // Getting started with VMware.CloudServices and its VcsUser category:
        // https://developer.broadcom.com/powercli/latest/products/vmwarecloudservices/
        // https://developer.broadcom.com/powercli/latest/products/vmwarecloudservices/categories/vcsuser
        [Fact]
        public void The_CloudServices_getting_started_examples_run()
        {
            using var emu = new Emulator(users: 10);
            var host = new AnsweringHost("Y");
            using var ps = new PsSession(emu, host);
            ps.Set("apiToken", emu.ApiToken);
            ps.Set("vcsServer", emu.Url);

            // Connect-Vcs -ApiToken $apiToken (the page's server is the default one; ours is the emulator)
            Assert.Equal(emu.Url, ps.Ok("Connect-Vcs -Server $vcsServer -ApiToken $apiToken").Single().Properties["ServiceUri"].Value.ToString().TrimEnd('/'));
            ps.Ok(@"
$oauthSecurityContext = New-VcsOAuthSecurityContext -VcsServer $vcsServer -ApiToken $apiToken
Connect-Vcs -Server $vcsServer -OAuthSecurityContext $oauthSecurityContext");
            Assert.Equal("ApiToken", ps.Ok("$oauthSecurityContext.Type.ToString()").Single().BaseObject);

            ps.Set("OrganizationRoleId", ps.Ok("(Get-VcsOrganizationRole -Name org_member).Id").Single().BaseObject);
            Assert.Equal("org_member", ps.Ok("Get-VcsOrganizationRole -Id $OrganizationRoleId").Single().Properties["Name"].Value);

            string userId = CspState.Users(emu)[3].Id;
            ps.Set("UserId", userId);
            Assert.Equal(userId, ps.Ok("Get-VcsUser -Id $UserId").Single().Properties["Id"].Value);

            // New-VcsUserInvitation -Email "email@mail.com" -OrganizationRole $organizationRoles -ServiceRole $serviceRoles
            ps.Ok("$organizationRoles = Get-VcsOrganizationRole -Name org_member; $serviceRoles = Get-VcsServiceRole -Name 'nsx:cloud_auditor'");
            ps.Ok("New-VcsUserInvitation -Email \"email@mail.com\" -OrganizationRole $organizationRoles -ServiceRole $serviceRoles");
            var invited = CspState.Invitations(emu).Single(i => i.Username == "email@mail.com");
            Assert.Equal(new[] { "org_member" }, invited.OrgRoles);

            // Remove-VcsUser -User $USER: the removal asks, as PowerCLI's does; the host answers yes.
            ps.Set("victim", CspState.Users(emu)[5].Username);
            ps.Ok("$USER = Get-VcsUser -Name $victim");
            Assert.Empty(ps.Run("Remove-VcsUser -User $USER").AllErrors);
            Assert.Single(host.Prompts);
            Assert.DoesNotContain(CspState.Users(emu), u => u.Id == ps.Ok("$USER.Id").Single().BaseObject as string);
        }

        // Get-CIUser's examples: https://vdc-repo.vmware.com/vmwb-repository/dcr-public/538b0256-c152-4c10-b092-7dc05fd55cd7/52d93c1f-653e-460f-8cc1-a728b989ba29/doc/Get-CIUser.html
        // (the same four in https://developer.broadcom.com/powercli/latest/vmware.vimautomation.cloud/commands/get-ciuser)
        [Fact]
        public void The_Get_CIUser_examples_run()
        {
            using var emu = new Emulator(vcdUsers: 30);
            using var ps = new PsSession(emu);
            ps.SetVcdVariables(emu);
            // Connect-CIServer with its documented parameters (-Server, -Org, -User, -Password as text).
            ps.Ok("Connect-CIServer -Server $vcdUrl -Org $vcdOrg -User $vcdUser -Password $vcdPassword");
            var tenant = emu.TenantUsers();
            string Ids(string script) => string.Join(",", ps.Ok(script).Select(o => ((CIUser)o.BaseObject).Id).OrderBy(x => x));
            string Expected(System.Func<System.Text.Json.JsonElement, bool> p) => string.Join(",", tenant.Where(p).Select(u => u.GetProperty("id").GetString()).OrderBy(x => x));

            // Example 1: Get-CIUser -Org Org
            Assert.Equal(Expected(_ => true), Ids("Get-CIUser -Org acme"));
            // Example 2: Get-CIUser -Org Organization -Role "Catalog Author"
            string authors = Expected(u => emu.RoleNames(u).Contains("Catalog Author"));
            Assert.NotEmpty(authors);
            Assert.Equal(authors, Ids("Get-CIUser -Org acme -Role \"Catalog Author\""));
            // Example 3: Get-CIRole | Get-CIUser
            Assert.Equal(Expected(_ => true), Ids("Get-CIRole | Get-CIUser"));
            // Example 4: Get-CIUser User* (the emulator's usernames start with first names)
            string prefix = tenant.Last().GetProperty("username").GetString().Split('.')[0];
            string byPrefix = Ids("Get-CIUser " + prefix + "*");
            Assert.NotEmpty(byPrefix);
            Assert.Equal(Expected(u => u.GetProperty("username").GetString().StartsWith(prefix + ".")
                || u.GetProperty("email").GetString().StartsWith(prefix + ".")
                || u.GetProperty("fullName").GetString().StartsWith(prefix, System.StringComparison.OrdinalIgnoreCase)), byPrefix);
        }

        // Disconnect-CIServer's examples: https://developer.broadcom.com/powercli/latest/vmware.vimautomation.cloud/commands/disconnect-ciserver
        [Fact]
        public void The_Disconnect_CIServer_examples_run()
        {
            using var emu = new Emulator(vcdUsers: 3);
            using var ps = new PsSession(emu);
            ps.SetVcdVariables(emu);
            const string Connect = "$server1 = Connect-CIServer -Server $vcdUrl -Org $vcdOrg -User $vcdUser -Password $vcdPassword; $server2 = Connect-CIServer -Server $vcdUrl -User administrator -Password $vcdPassword";

            // Example 1: Disconnect-CIServer (all default servers)
            ps.Ok(Connect);
            ps.Ok("Disconnect-CIServer");
            Assert.Empty(ps.Ok("$DefaultCIServers"));
            Assert.Equal(0, emu.VcdSessionCount());

            // Example 2: Disconnect-CIServer * -Confirm:$false
            ps.Ok(Connect);
            ps.Ok("Disconnect-CIServer * -Confirm:$false");
            Assert.Empty(ps.Ok("$DefaultCIServers"));
            Assert.Equal(0, emu.VcdSessionCount());

            // Example 3: Disconnect-CIServer $server1 -Force -Confirm:$false (also after a second connect)
            ps.Ok(Connect + "; $null = Connect-CIServer -Server $vcdUrl -Org $vcdOrg -User $vcdUser -Password $vcdPassword");
            ps.Ok("Disconnect-CIServer $server1 -Force -Confirm:$false");
            Assert.Equal(new object[] { false, true }, ps.Ok("$server1.IsConnected; $server2.IsConnected").Select(o => o.BaseObject));
            Assert.Same(ps.Ok("$server2").Single().BaseObject, ps.Ok("$DefaultCIServers").Single().BaseObject);

            // Example 4: $server1,$server2 | Disconnect-CIServer -Force -Confirm:$false
            ps.Ok(Connect);
            ps.Ok("$server1,$server2 | Disconnect-CIServer -Force -Confirm:$false");
            Assert.Empty(ps.Ok("$DefaultCIServers"));
            Assert.Equal(0, emu.VcdSessionCount());
        }
    }
}
