using System;
using System.Collections.Generic;
using System.Linq;

namespace VcsNative
{
    /// <summary>
    /// The Cloud Director user listing, shared by Get-VcdUser and Get-CIUser: read through the
    /// library's cursor (vcd_get_users_open), each user handed on as its page arrives, stopped
    /// by the cmdlet's StopProcessing (VcsCmdlet cancels its cursor).
    /// </summary>
    internal static class VcdListing
    {
        internal static readonly ElementReader<VcdUser> ReadUser = CursorReader.Of(VcdJson.Default.VcdUser);

        /// <summary>
        /// Every user the query selects (the library's query JSON: name, email, filter), each given
        /// to <paramref name="each"/> with its Server set. A failure is written as a non-terminating
        /// error targeting the server, and false returned, so other servers still answer.
        /// </summary>
        internal static bool Users(VcsCmdlet cmdlet, VcdServer server, RequestJson query, Action<VcdUser> each) =>
            Users(cmdlet, server, query, null, each);

        /// <summary>
        /// As above, keeping only users holding one of <paramref name="roles"/>, roles as the library
        /// gave them (VcdCmdlet.TryRoles), matched by id. The service cannot filter users by role,
        /// so the users the query selects are read and matched here.
        /// </summary>
        internal static bool Users(VcsCmdlet cmdlet, VcdServer server, RequestJson query, IReadOnlyCollection<VcdRole> roles, Action<VcdUser> each)
        {
            Func<VcdUser, bool> holds = roles == null ? null : RoleMatch(roles);
            int n = cmdlet.Listing.Read(NativeCursorMethods.vcd_get_users_open, server.Handle, query, ReadUser, user =>
            {
                if (holds != null && !holds(user)) return;
                user.Server = server;
                each(user);
            }, "Get-VcdUser " + server.Name, out LibraryError error);
            if (n >= 0) return true;
            cmdlet.WriteError(error.ToErrorRecord(server));
            return false;
        }

        private static Func<VcdUser, bool> RoleMatch(IReadOnlyCollection<VcdRole> roles)
        {
            var ids = new HashSet<string>(roles.Where(r => r.Id != null).Select(r => r.Id), StringComparer.OrdinalIgnoreCase);
            return user => user.RoleRefs != null && user.RoleRefs.Any(r => r.Id != null && ids.Contains(r.Id));
        }
    }
}
