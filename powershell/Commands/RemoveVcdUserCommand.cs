using System.Linq;
using System.Collections.Generic;
using System.Management.Automation;
using System.Text.Json;

namespace VcsNative.Commands
{
    /// <summary>
    /// Remove-VcdUser: removes users given as Get-VcdUser objects (each from its own session), or
    /// as URNs, usernames, emails, full names or patterns (matched against username, email and full
    /// name). The library's dry run resolves them, each resolved user is confirmed by name, then
    /// only the confirmed URNs are sent; one error per item that could not be removed.
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "VcdUser", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    public sealed class RemoveVcdUserCommand : VcdCmdlet
    {
        private readonly PerServer<VcdServer, (string Sent, object Given)> pending = new PerServer<VcdServer, (string, object)>();

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public object[] User { get; set; }

        /// <summary>Lets the removal reach the account you are signed in as (sent as allowSelf; the server may refuse it too).</summary>
        [Parameter]
        public SwitchParameter AllowSelf { get; set; }

        /// <summary>Removes without asking (unless -Confirm is given); -WhatIf still only reports.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        [VcdServerTransformation]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VcdServerCompleter))]
        public VcdServer[] Server { get; set; }

        protected override void ProcessRecord()
        {
            // Confirmed per resolved user at the end, after the library's dry run says who a pattern is.
            foreach (object given in User)
            {
                object input = Unwrap(given);
                string sent;
                if (input is VcdUser u && !string.IsNullOrEmpty(u.Id)) sent = u.Id;
                else if (input is string text && text.Trim().Length > 0) sent = text;
                else
                {
                    WriteError(LibraryError.Of("invalidArgument", "-User takes users from Get-VcdUser, or URNs, usernames, emails, full names or patterns.").ToErrorRecord(input));
                    continue;
                }
                foreach (VcdServer s in TargetsOf(input, Server)) pending.Add(s, (sent, input));
            }
        }

        protected override void EndProcessing()
        {
            foreach (var (server, items) in pending.Groups)
            {
                RequestJson Request(IReadOnlyList<string> ids, bool dryRun) =>
                    new RequestJson().Strings("users", ids ?? items.Select(i => i.Sent)).Bool("allowSelf", AllowSelf.IsPresent).Bool("dryRun", dryRun);
                RemoveResolved(NativeMethods.vcd_remove_users, server.Handle, Request, items.Select(i => i.Given), server.Name, Force, AllowSelf.IsPresent,
                    "Remove Cloud Director user", item => WriteVerbose(item.Label + ": " + item.Outcome + " on " + server.Name));
            }
        }
    }
}
