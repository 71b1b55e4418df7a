using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;

namespace VcsNative.Commands
{
    /// <summary>Disconnect-CIServer: PowerCLI's name for Disconnect-Vcd; piped sessions are logged out in one call, and no -Server means every default one.</summary>
    [Cmdlet(VerbsCommunications.Disconnect, "CIServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    public sealed class DisconnectCIServerCommand : VcsCmdlet
    {
        private readonly List<VcdServer> given = new List<VcdServer>();

        [Parameter(Position = 0, ValueFromPipeline = true)]
        [VcdServerTransformation]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VcdServerCompleter))]
        [SupportsWildcards]
        public VcdServer[] Server { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            if (Server != null) given.AddRange(Server);
        }

        protected override void EndProcessing()
        {
            var args = new Hashtable();
            if (MyInvocation.BoundParameters.ContainsKey(nameof(Server)) || given.Count > 0) args["Server"] = given.ToArray();
            // PowerCLI: without -Server every default server is disconnected (Disconnect-Vcd wants -Force for several).
            else if (Connections.DefaultVcd.Length > 0) args["Server"] = Connections.DefaultVcd;
            if (Force) args["Force"] = true;
            Forwarding.Run<DisconnectVcdCommand>(this, "Disconnect-Vcd", args);
        }
    }
}
