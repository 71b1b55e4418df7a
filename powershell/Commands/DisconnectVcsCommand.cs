using System.Collections.Generic;
using System.Management.Automation;
using VMware.CloudServices.Impl.V1.CmdletOutput;
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
        private bool serverGiven;

        [Parameter(Position = 0, ValueFromPipeline = true)]
        [VcsServerTransformation]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VcsServerCompleter))]
        [SupportsWildcards]
        public IVcsServer[] Server { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord() => Connecting.Guard(this, Server, DisconnectGiven);

        private void DisconnectGiven()
        {
            if (Server == null) return;
            serverGiven = true;
            foreach (IVcsServer s in Server) Disconnect(s);
        }

        protected override void EndProcessing()
        {
            if (!serverGiven)
            {
                IVcsServer[] defaults = Connections.DefaultCsp;
                if (defaults.Length == 0)
                {
                    WriteError(LibraryError.Of("notConnected", "You are not connected to any CSP server.").ToErrorRecord(null));
                }
                else if (defaults.Length > 1 && !Force)
                {
                    WriteError(LibraryError.Of("invalidArgument", "More than one CSP server is connected: name one with -Server, or use -Force for all.").ToErrorRecord(defaults));
                }
                else
                {
                    foreach (IVcsServer s in defaults) Disconnect(s);
                }
            }
            Connections.Publish(this);
        }

        private void Disconnect(IVcsServer server)
        {
            if (!(server is VcsServerImpl s) || !s.IsConnected)
            {
                WriteError(LibraryError.Of("notConnected", "Server '" + server?.Name + "' is not connected.").ToErrorRecord(server));
                return;
            }
            if (!ShouldProcess(s.Name + " (" + s.User + ")", "Disconnect")) return;
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
