using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Text.Json;
using VMware.CloudServices.Impl.V1.CmdletOutput;
using Xunit;

namespace VcsNative.Engine.Tests
{
    /// <summary>
    /// Get-VcsUser reads the library's answer with its own reader (in place, user by user, repeated
    /// values shared): every property must still be exactly what the library answered.
    /// </summary>
    public class GetVcsUserReadingTests
    {
        [Fact]
        public void Every_property_is_the_library_answer_also_for_escaped_and_non_ascii_text()
        {
            using var emu = new Emulator(users: 300, invitations: 0);
            using var ps = new PsSession(emu);
            PSObject server = ps.Connect();
            // Two more users whose texts are not plain ASCII: one needs JSON escapes (a quote, a backslash).
            Vcs.Connect(JsonSerializer.Serialize(new { server = emu.Url, apiToken = emu.ApiToken }), out VcsConnectionHandle connection);
            using (connection)
            {
                VcsResult invited = Vcs.NewUserInvitations(connection, JsonSerializer.Serialize(new { emails = new[] { "zoë.øster@example.com", "a\"b\\c@example.com" }, organizationRoles = new[] { "org_member" } }));
                Assert.Equal(VcsStatus.Ok, invited.Status);
                foreach (JsonElement item in JsonDocument.Parse(invited.Json).RootElement.GetProperty("items").EnumerateArray())
                    emu.Control("/_emulator/invitations/" + item.GetProperty("id").GetString() + "/accept");

                JsonElement[] answer = JsonDocument.Parse(Vcs.GetUsers(connection, null).Json).RootElement.EnumerateArray().ToArray();
                List<VcsUserImpl> users = ps.Ok("Get-VcsUser").Select(o => (VcsUserImpl)o.BaseObject).ToList();
                Assert.Equal(302, answer.Length);
                Assert.Equal(answer.Length, users.Count);
                for (int i = 0; i < answer.Length; i++) AssertSame(answer[i], users[i]);
                Assert.Contains(users, u => u.Name == "Zoë Øster");
                Assert.Contains(users, u => u.Username == "a\"b\\c@example.com" && u.Email == u.Username);
                Assert.All(users, u => Assert.Same(server.BaseObject, u.Server));

                // -Id reads the same way.
                VcsUserImpl one = users[123];
                ps.Set("id", one.Id);
                AssertSame(answer[123], (VcsUserImpl)ps.Ok("Get-VcsUser -Id $id").Single().BaseObject);
            }
        }

        [Fact]
        public void Users_holding_the_same_roles_never_share_what_a_script_changes()
        {
            using var emu = new Emulator(users: 200, invitations: 0);
            using var ps = new PsSession(emu);
            ps.Connect();
            // A listing reads each distinct role set once; a script changing one user's roles in place
            // must not change another's, nor the next read of the same user.
            ps.Ok("$all = Get-VcsUser; $same = @($all | Where-Object { ($_.OrganizationRoles -join ',') -eq 'org_member' -and $_.ServiceRoles.Count -ge 1 })");
            Assert.True((int)ps.Ok("$same.Count").Single().BaseObject >= 2);
            string roles(string script) => string.Join(";", ps.Ok(script).Select(o => o?.ToString()));
            string before = roles("$same[1].OrganizationRoles") + "|" + roles("$same[1].ServiceRoles[0].Roles") + "|" + roles("$same[1].ServiceRoles[0].ServiceName");
            ps.Ok("$same[0].OrganizationRoles[0] = 'changed'; $same[0].ServiceRoles[0].Roles[0] = 'changed'; $same[0].ServiceRoles[0].ServiceName = 'changed'; $same[0].ServiceRoles[0] = $null");
            Assert.Equal(before, roles("$same[1].OrganizationRoles") + "|" + roles("$same[1].ServiceRoles[0].Roles") + "|" + roles("$same[1].ServiceRoles[0].ServiceName"));
            Assert.Equal("org_member", roles("$same[0].OrganizationRoles"));
            Assert.DoesNotContain("changed", roles("$same[0].ServiceRoles | ForEach-Object { $_.ServiceName; $_.Roles }"));
            // A value set by a script is kept as it was set.
            ps.Ok("$same[0].OrganizationRoles = @('a', 'b')");
            Assert.Equal("a;b", roles("$same[0].OrganizationRoles"));
            Assert.Equal("org_member", roles("$same[1].OrganizationRoles"));
            Assert.False((bool)ps.Ok("$same[0].IsOrganizationOwner").Single().BaseObject);
        }

        [Fact]
        public void Uid_can_still_be_set()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            var user = (VcsUserImpl)ps.Ok("Get-VcsUser | Select-Object -First 1").Single().BaseObject;
            Assert.EndsWith("/VcsUser=" + user.Id + "/", user.Uid);
            user.Uid = "/VcsServer=elsewhere/VcsUser=x/";
            Assert.Equal("/VcsServer=elsewhere/VcsUser=x/", user.Uid);
            user.Uid = null;
            Assert.Null(user.Uid);
        }

        [Fact]
        public void A_listing_stopped_early_leaves_the_session_working()
        {
            using var emu = new Emulator(users: 3000);
            using var ps = new PsSession(emu);
            ps.Connect();
            // Select-Object stops the pipeline from inside the reading loop; the answer is still freed.
            RunResult r = ps.Run("Get-VcsUser | Select-Object -First 2");
            Assert.Empty(r.AllErrors);
            Assert.Equal(2, r.Output.Count);
            Assert.Equal(3000, ps.Ok("(Get-VcsUser).Count").Single().BaseObject);
        }

        private static void AssertSame(JsonElement expected, VcsUserImpl user)
        {
            Assert.Equal(expected.GetProperty("id").GetString(), user.Id);
            Assert.Equal(expected.GetProperty("username").GetString(), user.Username);
            Assert.Equal(expected.GetProperty("email").GetString(), user.Email);
            Assert.Equal(expected.GetProperty("name").GetString(), user.Name);
            Assert.Equal(expected.GetProperty("firstName").GetString(), user.FirstName);
            Assert.Equal(expected.GetProperty("lastName").GetString(), user.LastName);
            Assert.Equal(expected.GetProperty("uid").GetString(), user.Uid);
            Assert.Equal(expected.GetProperty("organizationRoles").EnumerateArray().Select(r => r.GetString()), user.OrganizationRoles);
            JsonElement[] grants = expected.GetProperty("serviceRoles").EnumerateArray().ToArray();
            Assert.Equal(grants.Length, user.ServiceRoles.Length);
            for (int i = 0; i < grants.Length; i++)
            {
                Assert.Equal(grants[i].GetProperty("serviceId").GetString(), user.ServiceRoles[i].ServiceId);
                Assert.Equal(grants[i].GetProperty("serviceName").GetString(), user.ServiceRoles[i].ServiceName);
                Assert.Equal(grants[i].GetProperty("roles").EnumerateArray().Select(r => r.GetString()), user.ServiceRoles[i].Roles);
            }
        }
    }
}
