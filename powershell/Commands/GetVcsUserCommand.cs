using System;
using System.Management.Automation;
using VMware.CloudServices.Impl.V1.CmdletOutput;
using VMware.CloudServices.Types.V1;
using VMware.CloudServices.Types.V1.CmdletOutput;

namespace VcsNative.Commands
{
    /// <summary>Get-VcsUser: the users of the organization, page by page through a cursor, filtered in the library.</summary>
    [Cmdlet(VerbsCommon.Get, "VcsUser", DefaultParameterSetName = NameSet)]
    [OutputType(typeof(IVcsUser))]
    public sealed class GetVcsUserCommand : VcsCmdlet
    {
        private const string NameSet = "Name";
        private const string IdSet = "Id";

        [Parameter(ParameterSetName = NameSet, Position = 0)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[] Name { get; set; }

        [Parameter(ParameterSetName = NameSet)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[] Email { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
        [Alias("UserId")]
        [ValidateNotNullOrEmpty]
        public string[] Id { get; set; }

        [Parameter]
        [VcsServerTransformation]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VcsServerCompleter))]
        public IVcsServer[] Server { get; set; }

        protected override void ProcessRecord()
        {
            foreach (VcsServerImpl server in CspTargets(Server))
            {
                if (ParameterSetName == IdSet)
                {
                    // One lookup per id: an unknown id is one error, and the others are still returned.
                    foreach (string id in Id)
                    {
                        using var query = new RequestJson().String("id", id);
                        int found = List(server, query, out LibraryError error);
                        if (error != null) WriteError(error.ToErrorRecord(id));
                        else if (found == 0) WriteNotFound("user", id);
                    }
                    continue;
                }
                // Through the cursor: each user written as its page arrives; a failing server is
                // one error and the other servers still answer.
                using var filter = new RequestJson().Strings("name", Name).Strings("email", Email);
                int read = Listing.Read(NativeCursorMethods.vcs_get_users_open, server.Handle, filter, VcsUserImpl.Page, user =>
                {
                    user.Server = server;
                    WriteObject(user);
                }, "Get-VcsUser " + server.Name, out LibraryError failure);
                if (read < 0) WriteError(failure.ToErrorRecord(server));
            }
        }

        /// <summary>Writes each user of the answer as soon as it is read; returns how many, or -1 with the error.</summary>
        private int List(VcsServerImpl server, RequestJson query, out LibraryError error)
        {
            return NativeAnswer.CallEach(NativeMethods.vcs_get_users, server.Handle, query.ToBytes(), VcsUserImpl.Page, user =>
            {
                user.Server = server;
                WriteObject(user);
            }, out error);
        }
    }
}
