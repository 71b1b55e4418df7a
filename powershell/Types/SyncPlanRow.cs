namespace VcsNative
{
    /// <summary>
    /// One row of a sync plan (Sync-VcsUser / Sync-VcdUser -WhatIf): what applying the file would
    /// do to one member or user. Action: Invite, Reinvite, ChangeRoles, Create, Update, Remove,
    /// Revoke, None (already as the file says), Refused (never done), Invalid (the row is wrong).
    /// </summary>
    public sealed class SyncPlanRow
    {
        /// <summary>The file's line; null for rows that come from the organization (-Prune).</summary>
        public int? Line { get; set; }
        public string Action { get; set; }
        /// <summary>The email (CSP) or username (Cloud Director) the row is about.</summary>
        public string User { get; set; }
        public string Id { get; set; }
        public string Name { get; set; }
        /// <summary>What changes: +org_member, -developer, fullName: 'A' -> 'B'.</summary>
        public string[] Changes { get; set; }
        /// <summary>For Invalid rows: the column at fault.</summary>
        public string Column { get; set; }
        /// <summary>For Refused and Invalid rows: why.</summary>
        public string Reason { get; set; }
        /// <summary>For Refused rows: what the row would have done.</summary>
        public string RefusedAction { get; set; }
        /// <summary>The organization (CSP) or tenant (Cloud Director) and its server.</summary>
        public string Organization { get; set; }
        public string Server { get; set; }

        /// <summary>For a table: the reason of a refused or invalid row (with its column), else the changes.</summary>
        public string What => Reason != null ? (Column != null ? Column + ": " + Reason : Reason) : string.Join(", ", Changes ?? System.Array.Empty<string>());

        public override string ToString() => Action + " " + User;
    }

    /// <summary>One row of an applied sync: the plan row and what happened to it.</summary>
    public sealed class SyncResult
    {
        public int? Line { get; set; }
        public string Action { get; set; }
        public string User { get; set; }
        public string Id { get; set; }
        /// <summary>invited, updated, created, removed, revoked, refused, failed, stale, unknown, notStarted, ...</summary>
        public string Outcome { get; set; }
        /// <summary>Whether the row now holds as the file says.</summary>
        public bool Ok { get; set; }
        public string Message { get; set; }
        public string Organization { get; set; }
        public string Server { get; set; }

        public override string ToString() => Action + " " + User + ": " + Outcome;
    }

    /// <summary>The PowerShell names of the library's plan actions.</summary>
    internal static class SyncActions
    {
        internal static string Of(string action)
        {
            switch (action)
            {
                case "invite": return "Invite";
                case "reinvite": return "Reinvite";
                case "setRoles": return "ChangeRoles";
                case "create": return "Create";
                case "update": return "Update";
                case "remove": return "Remove";
                case "revoke": return "Revoke";
                case "refused": return "Refused";
                case "invalid": return "Invalid";
                case null: return null;
                default: return char.ToUpperInvariant(action[0]) + action.Substring(1);
            }
        }
    }
}
