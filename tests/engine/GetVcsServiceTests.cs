using System.Linq;
using System.Management.Automation;
using VMware.CloudServices.Impl.V1.CmdletOutput;
using VMware.CloudServices.Types.V1.CmdletOutput;
using Xunit;

namespace VcsNative.Engine.Tests
{
    public class GetVcsServiceTests
    {
        [Fact]
        public void Lists_the_services_as_typed_objects_of_their_server()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            PSObject server = ps.Connect();
            var services = ps.Ok("Get-VcsService");
            var stored = emu.State().GetProperty("services").EnumerateArray().ToList();
            Assert.Equal(stored.Select(s => s.GetProperty("displayName").GetString()), services.Select(s => ((IVcsService)s.BaseObject).Name));
            Assert.Equal(stored.Select(s => s.GetProperty("id").GetString()), services.Select(s => ((IVcsService)s.BaseObject).Id));
            Assert.Equal("VMware.CloudServices.Impl.V1.CmdletOutput.VcsServiceImpl", services[0].TypeNames[0]);
            var aws = (VcsServiceImpl)services[0].BaseObject;
            Assert.Equal("VMC_ON_AWS", aws.TechnicalName);
            Assert.EndsWith("/" + aws.Id, aws.SelfLink);
            Assert.Same(server.BaseObject, aws.Server);
            Assert.Equal("VMware Cloud on AWS", aws.ToString());
        }

        [Fact]
        public void Name_filters_display_and_technical_names_with_wildcards()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            Assert.Equal(new[] { "VMware Cloud on AWS" }, ps.Ok("Get-VcsService -Name '*AWS*'").Select(s => s.ToString()));
            Assert.Equal(new[] { "VMware Skyline Advisor" }, ps.Ok("Get-VcsService SKYLINE").Select(s => s.ToString()));
            Assert.Equal(2, ps.Ok("Get-VcsService '*Tanzu*', '*Logs'").Count);
            Assert.Empty(ps.Ok("Get-VcsService -Name 'nothing*'"));
        }

        [Fact]
        public void Id_returns_the_services_found_and_one_not_found_error_per_unknown_id()
        {
            using var emu = new Emulator();
            using var ps = new PsSession(emu);
            ps.Connect();
            RunResult r = ps.Run("Get-VcsService -Id 'no-such-service', 'Ol1bgfCqNvkyTfWw4EOhKTQa2Vs_', 'tcq4LTfyZ_-UPdPAJIi2LhnvxmE_'");
            Assert.Equal(new[] { "VMware Skyline Advisor", "VMware Tanzu Mission Control" }, r.Output.Select(s => s.ToString()));
            ErrorRecord e = r.OnlyError;
            Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
            Assert.StartsWith("Vcs.notFound,", e.FullyQualifiedErrorId);
            Assert.Equal("no-such-service", e.TargetObject);
        }

        [Theory]
        [InlineData("Get-VcsService -Name $null")]
        [InlineData("Get-VcsService -Name ''")]
        [InlineData("Get-VcsService -Name @()")]
        [InlineData("Get-VcsService -Id $null")]
        [InlineData("Get-VcsService -Id ''")]
        [InlineData("Get-VcsService -Id @()")]
        [InlineData("$typo = $null; Get-VcsService -Name $typo")]
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
            Assert.Equal(4, ps.Ok("Get-VcsService -Server '" + server.Properties["Name"].Value + "'").Count);
            Assert.Contains("no-such-server", ps.Run("Get-VcsService -Server 'no-such-server'").OnlyError.Exception.Message);
        }
    }
}
