using System;

namespace VcsNative
{
    /// <summary>
    /// The one disconnect behind Disconnect-Vcs and Disconnect-Vcd (Disconnect-CIServer forwards to
    /// the latter). Servers given (-Server or piped) are counted down as they come; none given means
    /// the default connection: none is an error, several want -Server or -Force. Each cmdlet holds
    /// one for its run and gives only its server type's defaults and words.
    /// </summary>
    internal sealed class Disconnecting<TServer> where TServer : class
    {
        private readonly Func<SessionConnections, TServer[]> defaults;
        private readonly string noneConnected;
        private readonly string several;
        private readonly Func<TServer, string> notConnected;
        private readonly Func<TServer, string> shouldProcessTarget;
        private bool serverGiven;

        internal Disconnecting(Func<SessionConnections, TServer[]> defaults, string noneConnected, string several,
            Func<TServer, string> notConnected, Func<TServer, string> shouldProcessTarget)
        {
            this.defaults = defaults;
            this.noneConnected = noneConnected;
            this.several = several;
            this.notConnected = notConnected;
            this.shouldProcessTarget = shouldProcessTarget;
        }

        /// <summary>ProcessRecord: the servers of this record, each counted down now.</summary>
        internal void Given(VcsCmdlet cmdlet, TServer[] servers, bool force) => Connecting.Guard(cmdlet, servers, () =>
        {
            if (servers == null) return;
            serverGiven = true;
            foreach (TServer s in servers) Disconnect(cmdlet, s, force);
        });

        /// <summary>EndProcessing: the default connection when no server was given, then the published defaults.</summary>
        internal void End(VcsCmdlet cmdlet, bool force)
        {
            if (!serverGiven)
            {
                TServer[] open = defaults(cmdlet.Connections);
                if (open.Length == 0)
                {
                    cmdlet.WriteError(LibraryError.Of("notConnected", noneConnected).ToErrorRecord(null));
                }
                else if (open.Length > 1 && !force)
                {
                    cmdlet.WriteError(LibraryError.Of("invalidArgument", several).ToErrorRecord(open));
                }
                else
                {
                    foreach (TServer s in open) Disconnect(cmdlet, s, force);
                }
            }
            cmdlet.Connections.Publish(cmdlet);
        }

        private void Disconnect(VcsCmdlet cmdlet, TServer server, bool force)
        {
            if (!(server is ISharedSession s) || !s.IsConnected)
            {
                cmdlet.WriteError(LibraryError.Of("notConnected", notConnected(server)).ToErrorRecord(server));
                return;
            }
            if (!cmdlet.ShouldProcess(shouldProcessTarget(server), "Disconnect")) return;
            SharedSessions.Release(cmdlet, s, force);
        }
    }
}
