using System.Management.Automation;
using VMware.CloudServices.Types.V1;

namespace VcsNative.Commands
{
    /// <summary>
    /// Disconnect-Vcs: closes connections, counting references as Connect-Vcs opened them; -Force
    /// closes at once. Without -Server: the one default connection (several need -Server or -Force).
    /// </summary>
    [Cmdlet(VerbsCommunications.Disconnect, "Vcs", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    public sealed class DisconnectVcsCommand : VcsCmdlet
    {
        private readonly Disconnecting<IVcsServer> disconnecting = new Disconnecting<IVcsServer>(
            defaults: c => c.DefaultCsp,
            noneConnected: "You are not connected to any CSP server.",
            several: "More than one CSP server is connected: name one with -Server, or use -Force for all.",
            notConnected: s => "Server '" + s?.Name + "' is not connected.",
            shouldProcessTarget: s => s.Name + " (" + s.User + ")");

        [Parameter(Position = 0, ValueFromPipeline = true)]
        [VcsServerTransformation]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VcsServerCompleter))]
        [SupportsWildcards]
        public IVcsServer[] Server { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord() => disconnecting.Given(this, Server, Force);

        protected override void EndProcessing() => disconnecting.End(this, Force);
    }
}
