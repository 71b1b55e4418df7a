using System.Management.Automation;

namespace VcsNative.Commands
{
    /// <summary>
    /// Disconnect-Vcd: logs out of Cloud Director sessions, counting references as Connect-Vcd
    /// opened them; -Force logs out at once. Without -Server: the one default session (several
    /// need -Server or -Force).
    /// </summary>
    [Cmdlet(VerbsCommunications.Disconnect, "Vcd", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    public sealed class DisconnectVcdCommand : VcsCmdlet
    {
        private readonly Disconnecting<VcdServer> disconnecting = new Disconnecting<VcdServer>(
            defaults: c => c.DefaultVcd,
            noneConnected: "You are not connected to any Cloud Director.",
            several: "More than one Cloud Director session is open: name one with -Server, or use -Force for all.",
            notConnected: s => "Cloud Director '" + s.Name + "' (" + s.User + "@" + s.Org + ") is not connected.",
            shouldProcessTarget: s => s.User + "@" + s.Org + " on " + s.Name);

        [Parameter(Position = 0, ValueFromPipeline = true)]
        [VcdServerTransformation]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VcdServerCompleter))]
        [SupportsWildcards]
        public VcdServer[] Server { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord() => disconnecting.Given(this, Server, Force);

        protected override void EndProcessing() => disconnecting.End(this, Force);
    }
}
