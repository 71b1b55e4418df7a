using System;
using System.Management.Automation;

namespace VcsNative
{
    /// <summary>
    /// Lets a yes/no parameter take the text of a CSV cell: 'true'/'false', 'yes'/'no', '1'/'0'
    /// (the engine alone turns any non-empty text into $true, or refuses text for a bool). An
    /// empty cell means "not given".
    /// </summary>
    public sealed class BooleanTextTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object value = inputData is PSObject ps ? ps.BaseObject : inputData;
            if (!(value is string text)) return inputData;
            switch (text.Trim().ToLowerInvariant())
            {
                case "": return null;
                case "true": case "$true": case "yes": case "y": case "1": return true;
                case "false": case "$false": case "no": case "n": case "0": return false;
                default: throw new ArgumentTransformationMetadataException("'" + text + "' is not a yes/no value: use true or false.");
            }
        }
    }

    /// <summary>
    /// An empty CSV cell ('' or blanks) becomes the given value before the parameter's own checks
    /// ($null: "not given"; or the parameter's default, where a validation would refuse $null).
    /// </summary>
    public sealed class EmptyTextAsAttribute : ArgumentTransformationAttribute
    {
        private readonly object value;

        public EmptyTextAsAttribute(object value) => this.value = value;

        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object given = inputData is PSObject ps ? ps.BaseObject : inputData;
            return given is string text && text.Trim().Length == 0 ? value : inputData;
        }
    }
}
