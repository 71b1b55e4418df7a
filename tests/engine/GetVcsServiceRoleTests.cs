using System.Linq;
using System.Management.Automation;
using VMware.CloudServices.Impl.V1.CmdletOutput;
using VMware.CloudServices.Types.V1.CmdletOutput;
using Xunit;

namespace VcsNative.Engine.Tests
{
    public class GetVcsServiceRoleTests
    {
        private const string Aws = "ybUdoTC05kYFC9ZG560kpsn0I8M_";

        [Fact]
        public void Lists_every_services_roles_as_typed_objects()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            PSObject server = ps.Connect();
            var roles = ps.Ok("Get-VcsServiceRole");
            var stored = emu.State().GetProperty("services").EnumerateArray()
                .SelectMany(s => s.GetProperty("roles").EnumerateArray().Select(r => r.GetProperty("name").GetString())).ToArray();
            Assert.Equal(stored, roles.Select(r => ((IVcsServiceRole)r.BaseObject).Name));
            Assert.Equal("VMware.CloudServices.Impl.V1.CmdletOutput.VcsServiceRoleImpl", roles[0].TypeNames[0]);
            var admin = (VcsServiceRoleImpl)roles.Single(r => r.ToString() == "nsx:cloud_admin").BaseObject;
            Assert.Equal("NSX Cloud Admin", admin.DisplayName);
            Assert.Equal(Aws, admin.ServiceId);
            Assert.Equal("VMware Cloud on AWS", admin.ServiceName);
            Assert.Same(server.BaseObject, admin.Server);
        }

        [Fact]
        public void Name_filters_with_wildcards()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            Assert.Equal(new[] { "nsx:cloud_admin", "nsx:cloud_auditor" }, ps.Ok("Get-VcsServiceRole -Name 'nsx:*'").Select(r => r.ToString()));
            Assert.Equal(new[] { "tmc:admin" }, ps.Ok("Get-VcsServiceRole 'tmc:a*'").Select(r => r.ToString()));
            Assert.Empty(ps.Ok("Get-VcsServiceRole -Name 'nothing*'"));
        }

        [Fact]
        public void Services_piped_or_named_give_their_roles()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            string[] aws = { "vmc-user:full", "nsx:cloud_admin", "nsx:cloud_auditor" };
            Assert.Equal(aws, ps.Ok("Get-VcsService -Name '*AWS*' | Get-VcsServiceRole").Select(r => r.ToString()));
            Assert.Equal(aws, ps.Ok("Get-VcsServiceRole -Service 'VMware Cloud on AWS'").Select(r => r.ToString()));
            Assert.Equal(new[] { "tmc:admin", "tmc:member", "skyline:admin", "skyline:viewer" },
                ps.Ok("Get-VcsServiceRole -Service 'TANZU*', 'VMware Skyline Advisor'").Select(r => r.ToString()));
            Assert.Equal(new[] { "nsx:cloud_auditor" }, ps.Ok("Get-VcsService '*AWS*' | Get-VcsServiceRole -Name '*auditor'").Select(r => r.ToString()));
        }

        [Fact]
        public void A_pipeline_that_brings_no_service_gives_no_role()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            Assert.Empty(ps.Ok("Get-VcsService -Name '*no such service*' | Get-VcsServiceRole"));
        }

        [Fact]
        public void Id_returns_the_roles_found_and_one_not_found_error_per_unknown_id()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            RunResult r = ps.Run("Get-VcsServiceRole -Id 'tmc:member', 'no:such-role', 'vmc-user:full'");
            Assert.Equal(new[] { "tmc:member", "vmc-user:full" }, r.Output.Select(o => o.ToString()));
            ErrorRecord e = r.OnlyError;
            Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
            Assert.StartsWith("Vcs.notFound,", e.FullyQualifiedErrorId);
            Assert.Equal("no:such-role", e.TargetObject);
        }

        [Theory]
        [InlineData("Get-VcsServiceRole -Name $null")]
        [InlineData("Get-VcsServiceRole -Name ''")]
        [InlineData("Get-VcsServiceRole -Name @()")]
        [InlineData("Get-VcsServiceRole -Id $null")]
        [InlineData("Get-VcsServiceRole -Id ''")]
        [InlineData("Get-VcsServiceRole -Service $null")]
        [InlineData("Get-VcsServiceRole -Service ''")]
        [InlineData("Get-VcsServiceRole -Service @()")]
        [InlineData("$typo = $null; Get-VcsServiceRole -Service $typo")]
        [InlineData("$null | Get-VcsServiceRole")]
        public void An_empty_or_null_filter_is_refused_and_returns_nothing(string script)
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            RunResult r = ps.Run(script);
            Assert.Empty(r.Output);
            Assert.Contains("ParameterArgumentValidationError", r.OnlyError.FullyQualifiedErrorId);
        }

        [Fact]
        public void Server_takes_a_name()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            PSObject server = ps.Connect();
            Assert.Equal(3, ps.Ok("Get-VcsServiceRole -Server '" + server.Properties["Name"].Value + "' -Service '*AWS*'").Count);
            Assert.Contains("no-such-server", ps.Run("Get-VcsServiceRole -Server 'no-such-server'").OnlyError.Exception.Message);
        }
    }
}
