using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace VcsNative.Engine.Tests
{
    /// <summary>
    /// A host with a UI that answers every confirmation prompt with a fixed choice ("Y" or "N"),
    /// as a person at the console would, and records the prompts it was shown.
    /// </summary>
    public sealed class AnsweringHost : PSHost
    {
        private readonly AnsweringUI ui;

        public AnsweringHost(string answer) => ui = new AnsweringUI(answer);

        public List<string> Prompts => ui.Prompts;
        /// <summary>What went to the host's WriteLine (the engine's -WhatIf lines among them).</summary>
        public List<string> Lines => ui.Lines;
        public override PSHostUserInterface UI => ui;
        public override string Name => "AnsweringHost";
        public override Version Version => new Version(1, 0);
        public override Guid InstanceId { get; } = Guid.NewGuid();
        public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;
        public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;
        public override void EnterNestedPrompt() => throw new NotSupportedException();
        public override void ExitNestedPrompt() => throw new NotSupportedException();
        public override void NotifyBeginApplication() { }
        public override void NotifyEndApplication() { }
        public override void SetShouldExit(int exitCode) { }

        private sealed class AnsweringUI : PSHostUserInterface
        {
            private readonly string answer;

            public AnsweringUI(string answer) => this.answer = answer;

            public List<string> Prompts { get; } = new List<string>();
            public List<string> Lines { get; } = new List<string>();
            public override PSHostRawUserInterface RawUI => null;

            public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
            {
                Prompts.Add(message);
                for (int i = 0; i < choices.Count; i++)
                {
                    if (choices[i].Label.Replace("&", "").StartsWith(answer, StringComparison.OrdinalIgnoreCase)) return i;
                }
                throw new InvalidOperationException("no choice " + answer);
            }

            public override string ReadLine() => throw new NotSupportedException();
            public override SecureString ReadLineAsSecureString() => throw new NotSupportedException();
            public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) => throw new NotSupportedException();
            public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw new NotSupportedException();
            public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw new NotSupportedException();
            public override void Write(string value) { }
            public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) { }
            public override void WriteLine(string value) => Lines.Add(value);
            public override void WriteErrorLine(string value) { }
            public override void WriteDebugLine(string message) { }
            public override void WriteProgress(long sourceId, ProgressRecord record) { }
            public override void WriteVerboseLine(string message) { }
            public override void WriteWarningLine(string message) { }
        }
    }
}
