using System.Linq;
using Xunit;

namespace VcsNative.Engine.Tests
{
    public class VcdCompletionTests
    {
        [Theory]
        [InlineData("New-VcdUser -Name x -Role vApp", new[] { "'vApp Author'", "'vApp User'" })]
        [InlineData("Set-VcdUser -User x -Role Organization", new[] { "'Organization Administrator'" })]
        [InlineData("New-VcdUser -Name x -Role nothing-like-it", new string[0])]
        public void Role_completes_to_the_roles_the_org_may_give_quoted_where_needed(string line, string[] expected)
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.ConnectVcd(emu);
            ps.Set("line", line);
            var got = ps.Ok("(TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object CompletionText");
            Assert.Equal(expected, got.Select(o => o.ToString()));
        }

        [Fact]
        public void Server_completes_to_the_connected_sessions()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            string name = (string)ps.ConnectVcd(emu).Properties["Name"].Value;
            ps.Set("line", "Disconnect-Vcd -Server 127.");
            var got = ps.Ok("(TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object CompletionText");
            Assert.Equal(new[] { name }, got.Select(o => o.ToString()));
        }
    }
}
