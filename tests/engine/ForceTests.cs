using System.Linq;
using System.Management.Automation;
using Xunit;

namespace VcsNative.Engine.Tests
{
    /// <summary>-Force skips only the confirmation: -Verbose and -WhatIf still get ShouldProcess's messages.</summary>
    public sealed class ForceTests
    {
        [Fact]
        public void Force_with_Verbose_says_what_it_removes()
        {
            using var emu = new Emulator(users: 6);
            using var ps = new PsSession(emu);
            ps.Connect();
            string username = CspState.Users(emu)[3].Username;
            var verbose = ps.Ok("Remove-VcsUser '" + username + "' -Force -Verbose 4>&1").Select(o => o.BaseObject).OfType<VerboseRecord>().Select(v => v.Message).ToList();
            Assert.Contains(verbose, m => m.StartsWith("Performing the operation") && m.Contains(username));
            Assert.DoesNotContain(CspState.Users(emu), u => u.Username == username);
        }

        [Fact]
        public void Force_with_WhatIf_removes_nothing()
        {
            using var emu = new Emulator(users: 6);
            using var ps = new PsSession(emu);
            ps.Connect();
            string username = CspState.Users(emu)[3].Username;
            Assert.Empty(ps.Run("Remove-VcsUser '" + username + "' -Force -WhatIf").AllErrors);
            Assert.Contains(CspState.Users(emu), u => u.Username == username);
        }
    }
}
