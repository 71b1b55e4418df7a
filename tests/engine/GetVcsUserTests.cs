using System.Linq;
using System.Management.Automation;
using VMware.CloudServices.Types.V1.CmdletOutput;
using Xunit;

namespace VcsNative.Engine.Tests
{
    public class GetVcsUserTests
    {
        [Fact]
        public void Lists_every_user_as_typed_objects_with_PowerCLI_type_names()
        {
            using var emu = new Emulator(users: 250);
            using var ps = new PsSession(emu);
            ps.Connect();
            var users = ps.Ok("Get-VcsUser");
            Assert.Equal(250, users.Count);
            Assert.All(users, u => Assert.IsAssignableFrom<IVcsUser>(u.BaseObject));
            Assert.Equal("VMware.CloudServices.Impl.V1.CmdletOutput.VcsUserImpl", users[0].TypeNames[0]);
            Assert.Equal(250, users.Select(u => ((IVcsUser)u.BaseObject).Id).Distinct().Count());
            Assert.Equal(true, ps.Ok("(Get-VcsUser -Name 'ada.andersen*')[0] -is [VMware.CloudServices.Types.V1.CmdletOutput.IVcsUser]").Single().BaseObject);
        }

        [Fact]
        public void Name_and_Email_filter_with_wildcards_in_the_library()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            var all = ps.Ok("Get-VcsUser").Select(o => (IVcsUser)o.BaseObject).ToList();
            var expected = all.Where(u => u.Username.StartsWith("a", System.StringComparison.OrdinalIgnoreCase) || u.Name.StartsWith("a", System.StringComparison.OrdinalIgnoreCase)).Select(u => u.Id).OrderBy(x => x).ToList();
            var got = ps.Ok("Get-VcsUser -Name 'a*'").Select(o => ((IVcsUser)o.BaseObject).Id).OrderBy(x => x).ToList();
            Assert.NotEmpty(got);
            Assert.Equal(expected, got);
            Assert.Equal(all.Count, ps.Ok("Get-VcsUser -Email '*@example.com'").Count);
            Assert.Empty(ps.Ok("Get-VcsUser -Email '*@nowhere.example'"));
        }

        [Theory]
        [InlineData("Get-VcsUser -Name $null")]
        [InlineData("Get-VcsUser -Name ''")]
        [InlineData("Get-VcsUser -Name @()")]
        [InlineData("Get-VcsUser -Name 'a*', $null")]
        [InlineData("Get-VcsUser -Email $null")]
        [InlineData("Get-VcsUser -Email ''")]
        [InlineData("Get-VcsUser -Id $null")]
        [InlineData("Get-VcsUser -Id ''")]
        [InlineData("Get-VcsUser -Server @()")]
        [InlineData("$typo = $null; Get-VcsUser -Name $typo")]
        public void An_empty_or_null_filter_is_refused_and_returns_nothing(string script)
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            RunResult r = ps.Run(script);
            Assert.Empty(r.Output);
            ErrorRecord e = Assert.Single(r.AllErrors);
            Assert.Contains("ParameterArgumentValidationError", e.FullyQualifiedErrorId);
        }

        [Fact]
        public void Id_returns_the_users_found_and_one_not_found_error_per_unknown_id()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            string good = (string)ps.Ok("(Get-VcsUser)[3].Id").Single().BaseObject;
            ps.Set("good", good);
            RunResult r = ps.Run("Get-VcsUser -Id $good, 'example.com:unknown', $good");
            Assert.Null(r.Terminating);
            Assert.Equal(new[] { good, good }, r.Values.Cast<IVcsUser>().Select(u => u.Id));
            ErrorRecord e = Assert.Single(r.Errors);
            Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
            Assert.StartsWith("Vcs.notFound,", e.FullyQualifiedErrorId);
            Assert.Equal("example.com:unknown", e.TargetObject);
            Assert.Contains("request id", e.Exception.Message);
            // -ErrorAction Stop makes the first unknown id end the script.
            Assert.NotNull(ps.Run("Get-VcsUser -Id 'example.com:unknown', $good -ErrorAction Stop; 'not reached'").Terminating);
        }

        [Fact]
        public void Ids_bind_from_the_pipeline_by_property_name()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            Assert.Equal(40, ps.Ok("Get-VcsUser | Get-VcsUser").Count);
            Assert.Equal(2, ps.Ok("[pscustomobject]@{ UserId = (Get-VcsUser)[0].Id }, [pscustomobject]@{ Id = (Get-VcsUser)[1].Id } | Get-VcsUser").Count);
        }

        [Fact]
        public void Server_takes_objects_names_and_wildcards_and_refuses_unknown_names()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            PSObject server = ps.Connect();
            string name = (string)server.Properties["Name"].Value;
            ps.Set("server", server);
            Assert.Equal(40, ps.Ok("Get-VcsUser -Server $server").Count);
            Assert.Equal(40, ps.Ok("Get-VcsUser -Server '" + name + "'").Count);
            Assert.Equal(40, ps.Ok("Get-VcsUser -Server '127.0.0.*'").Count);
            RunResult r = ps.Run("Get-VcsUser -Server 'no-such-server'");
            Assert.Empty(r.Output);
            Assert.Contains("no-such-server", r.OnlyError.Exception.Message);
            Assert.Contains(name, r.OnlyError.Exception.Message);
        }

        [Fact]
        public void A_disconnected_server_object_is_refused()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Set("s", ps.Connect());
            ps.Ok("Disconnect-Vcs -Server $s -Confirm:$false");
            RunResult r = ps.Run("Get-VcsUser -Server $s");
            Assert.StartsWith("Vcs.notConnected,", r.OnlyError.FullyQualifiedErrorId);
        }

        [Fact]
        public void Select_First_stops_the_listing_early()
        {
            using var emu = new Emulator(users: 5000);
            using var ps = new PsSession(emu);
            ps.Connect();
            // Page requests as the emulator counts them: the whole listing takes 25 or more (at most 200 a page).
            int before = CspState.Requests(emu, "GET", "/users");
            ps.Ok("$null = Get-VcsUser");
            int all = CspState.Requests(emu, "GET", "/users") - before;
            Assert.True(all >= 25, "the whole listing took " + all + " page requests");
            before = CspState.Requests(emu, "GET", "/users");
            Assert.Equal(5, ps.Ok("Get-VcsUser | Select-Object -First 5").Count);
            System.Threading.Thread.Sleep(300);
            int first = CspState.Requests(emu, "GET", "/users") - before;
            Assert.InRange(first, 1, 3);
        }

        [Fact]
        public void Users_carry_their_roles_and_the_server_they_came_from()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            PSObject server = ps.Connect();
            PSObject owner = ps.Ok("Get-VcsUser | Where-Object { $_.OrganizationRoles -contains 'org_owner' } | Select-Object -First 1").Single();
            Assert.Same(server.BaseObject, owner.Properties["Server"].Value);
            Assert.Equal(true, ps.Ok("(Get-VcsUser | Where-Object IsOrganizationOwner).Count -ge 1").Single().BaseObject);
        }

        [Fact]
        public void Server_completes_to_the_connected_servers()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            string name = (string)ps.Connect().Properties["Name"].Value;
            string line = "Get-VcsUser -Server 127.";
            var matches = ps.Ok("(TabExpansion2 -inputScript '" + line + "' -cursorColumn " + line.Length + ").CompletionMatches | ForEach-Object CompletionText");
            Assert.Equal(new[] { name }, matches.Select(m => (string)m.BaseObject));
            line = "Disconnect-Vcs -Server nothing";
            Assert.Empty(ps.Ok("(TabExpansion2 -inputScript '" + line + "' -cursorColumn " + line.Length + ").CompletionMatches"));
        }
    }
}
