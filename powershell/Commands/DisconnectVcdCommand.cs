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
        private bool serverGiven;

        [Parameter(Position = 0, ValueFromPipeline = true)]
        [VcdServerTransformation]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VcdServerCompleter))]
        [SupportsWildcards]
        public VcdServer[] Server { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord() => Connecting.Guard(this, Server, DisconnectGiven);

        private void DisconnectGiven()
        {
            if (Server == null) return;
            serverGiven = true;
            foreach (VcdServer s in Server) Disconnect(s);
        }

        protected override void EndProcessing()
        {
            if (!serverGiven)
            {
                VcdServer[] defaults = Connections.DefaultVcd;
                if (defaults.Length == 0)
                {
                    WriteError(LibraryError.Of("notConnected", "You are not connected to any Cloud Director.").ToErrorRecord(null));
                }
                else if (defaults.Length > 1 && !Force)
                {
                    WriteError(LibraryError.Of("invalidArgument", "More than one Cloud Director session is open: name one with -Server, or use -Force for all.").ToErrorRecord(defaults));
                }
                else
                {
                    foreach (VcdServer s in defaults) Disconnect(s);
                }
            }
            Connections.Publish(this);
        }

        private void Disconnect(VcdServer s)
        {
            if (!s.IsConnected)
            {
                WriteError(LibraryError.Of("notConnected", "Cloud Director '" + s.Name + "' (" + s.User + "@" + s.Org + ") is not connected.").ToErrorRecord(s));
                return;
            }
            if (!ShouldProcess(s.User + "@" + s.Org + " on " + s.Name, "Disconnect")) return;
            s.RefCount--;
            if (s.RefCount <= 0 || Force)
            {
                s.RefCount = 0;
                // On a worker, within the bound: a hung logout never holds the pipeline.
                if (!s.Handle.DisconnectWithin(Connecting.LogoutBound))
                    WriteWarning("The logout of " + s.Name + " did not finish within " + Connecting.LogoutBound.TotalSeconds + " s; it goes on in the background.");
            }
        }
    }
}
