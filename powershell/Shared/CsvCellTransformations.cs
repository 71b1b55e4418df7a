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

namespace VcsNative
{
    /// <summary>
    /// A typed column of a CSV row (New-VcdUser from Import-Csv). The engine drops a cell that does
    /// not convert without a word when it binds by property name, and the row would be created
    /// without it (a quota of 'abc' became 0, unlimited). So a cell that does not convert is noted
    /// here, the parameter gets its default, and the command reports the row as an error naming
    /// the column and the value, creating nothing for it. Values that are not text pass through.
    /// </summary>
    public abstract class CsvCellAttribute : ArgumentTransformationAttribute
    {
        [ThreadStatic] private static System.Collections.Generic.List<string> problems;

        protected CsvCellAttribute(string column) => Column = column;

        /// <summary>The column (and parameter) name, for the error.</summary>
        public string Column { get; }

        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object value = inputData is PSObject ps ? ps.BaseObject : inputData;
            if (!(value is string text)) return inputData;
            if (text.Trim().Length == 0) return Empty;
            if (TryConvert(text.Trim(), out object converted, out string expected)) return converted;
            (problems ??= new System.Collections.Generic.List<string>()).Add(Column + " '" + text + "' is not " + expected);
            return Empty;
        }

        /// <summary>What an empty or bad cell binds as.</summary>
        protected virtual object Empty => null;

        protected abstract bool TryConvert(string text, out object value, out string expected);

        /// <summary>The cells of the row just bound that did not convert (and forgets them).</summary>
        internal static System.Collections.Generic.List<string> TakeProblems()
        {
            var found = problems;
            problems = null;
            return found;
        }
    }

    /// <summary>A whole number from 0 to 2147483647 (a quota).</summary>
    public sealed class CsvCountCellAttribute : CsvCellAttribute
    {
        public CsvCountCellAttribute(string column) : base(column) { }

        protected override bool TryConvert(string text, out object value, out string expected)
        {
            expected = "a whole number from 0 to " + int.MaxValue;
            bool ok = int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n);
            value = ok ? n : null;
            return ok;
        }
    }

    /// <summary>true/false, yes/no, 1/0.</summary>
    public sealed class CsvBooleanCellAttribute : CsvCellAttribute
    {
        public CsvBooleanCellAttribute(string column) : base(column) { }

        protected override bool TryConvert(string text, out object value, out string expected)
        {
            expected = "a yes/no value (true or false)";
            switch (text.ToLowerInvariant())
            {
                case "true": case "$true": case "yes": case "y": case "1": value = true; return true;
                case "false": case "$false": case "no": case "n": case "0": value = false; return true;
                default: value = null; return false;
            }
        }
    }

    /// <summary>One of a set of words (any case); an empty or bad cell binds as the default.</summary>
    public sealed class CsvChoiceCellAttribute : CsvCellAttribute
    {
        private readonly string[] choices;
        private readonly string fallback;

        public CsvChoiceCellAttribute(string column, string fallback, params string[] choices) : base(column)
        {
            this.fallback = fallback;
            this.choices = choices;
        }

        protected override object Empty => fallback;

        protected override bool TryConvert(string text, out object value, out string expected)
        {
            expected = "one of " + string.Join(", ", choices);
            value = Array.Find(choices, c => string.Equals(c, text, StringComparison.OrdinalIgnoreCase));
            return value != null;
        }
    }
}
