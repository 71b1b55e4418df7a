using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;

namespace VcsNative
{
    /// <summary>
    /// Lets a parameter typed as a CSP interface also take text: each string becomes a reference
    /// object the library resolves. Objects pass unchanged. Empty text becomes null, which the
    /// parameter's validation refuses: an empty name never turns into a name.
    /// </summary>
    public abstract class TextReferenceTransformationAttribute : ArgumentTransformationAttribute
    {
        protected abstract object FromText(string text);

        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object value = Unwrap(inputData);
            if (value is string one) return string.IsNullOrWhiteSpace(one) ? null : FromText(one);
            if (!(value is IEnumerable list)) return inputData;
            var items = new List<object>();
            foreach (object item in list)
            {
                object v = Unwrap(item);
                if (v is string text)
                {
                    items.Add(string.IsNullOrWhiteSpace(text) ? null : FromText(text));
                }
                else
                {
                    items.Add(item);
                }
            }
            return items.ToArray();
        }

        private static object Unwrap(object o) => o is PSObject ps && !(ps.BaseObject is PSCustomObject) ? ps.BaseObject : o;
    }

    /// <summary>-User: user objects, or ids, usernames, emails and wildcard patterns as text.</summary>
    public sealed class VcsUserTransformationAttribute : TextReferenceTransformationAttribute
    {
        protected override object FromText(string text) => new VcsUserReference(text.Trim());
    }

    /// <summary>-UserInvitation: invitation objects or ids.</summary>
    public sealed class VcsUserInvitationTransformationAttribute : TextReferenceTransformationAttribute
    {
        protected override object FromText(string text) => new VcsUserInvitationReference(text.Trim());
    }

    /// <summary>-Service: service objects, or ids and names (wildcards allowed).</summary>
    public sealed class VcsServiceTransformationAttribute : TextReferenceTransformationAttribute
    {
        protected override object FromText(string text) => new VcsServiceReference(text.Trim());
    }

    /// <summary>-OrganizationRole: role objects or role names.</summary>
    public sealed class VcsOrganizationRoleTransformationAttribute : TextReferenceTransformationAttribute
    {
        protected override object FromText(string text) => new VcsOrganizationRoleReference(text.Trim());
    }

    /// <summary>-ServiceRole: role objects or role names, with or without their service.</summary>
    public sealed class VcsServiceRoleTransformationAttribute : TextReferenceTransformationAttribute
    {
        protected override object FromText(string text) => new VcsServiceRoleReference(text.Trim());
    }
}
