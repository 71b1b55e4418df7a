using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace VcsNative.HelpGen
{
    /// <summary>One parameter as the engine binds it, merged over the parameter sets it belongs to.</summary>
    internal sealed class ParameterFacts
    {
        public string Name { get; init; }
        public Type Type { get; init; }
        public bool Required { get; init; }
        public string Position { get; init; }
        public bool ByValue { get; init; }
        public bool ByPropertyName { get; init; }
        public IReadOnlyList<string> Aliases { get; init; }
        public bool Wildcards { get; init; }
        public bool IsSwitch => Type == typeof(SwitchParameter);
        public bool VariableLength => Type.IsArray;

        public string PipelineInput =>
            ByValue && ByPropertyName ? "True (ByValue, ByPropertyName)"
            : ByValue ? "True (ByValue)"
            : ByPropertyName ? "True (ByPropertyName)"
            : "False";

        public string AliasList => Aliases.Count == 0 ? "none" : string.Join(", ", Aliases);
    }

    /// <summary>One parameter within one parameter set, for the syntax section.</summary>
    internal sealed class SyntaxParameter
    {
        public ParameterFacts Facts { get; init; }
        public bool Mandatory { get; init; }
        public int? Position { get; init; }
    }

    internal sealed class SyntaxSet
    {
        public string Name { get; init; }
        public List<SyntaxParameter> Parameters { get; init; }
    }

    /// <summary>What the engine knows of a cmdlet: the part of its help that comes from code.</summary>
    internal sealed class CommandModel
    {
        /// <summary>Parameters the engine adds to every cmdlet; -WhatIf and -Confirm are kept and documented.</summary>
        private static readonly HashSet<string> Common = new HashSet<string>(
            Cmdlet.CommonParameters.Concat(Cmdlet.OptionalCommonParameters).Where(p => p != "WhatIf" && p != "Confirm"),
            StringComparer.OrdinalIgnoreCase);

        public CmdletInfo Info { get; private init; }
        public string Name => Info.Name;
        public string Verb => Info.Verb;
        public string Noun => Info.Noun;

        /// <summary>Parameters in declaration order, common ones left out.</summary>
        public List<ParameterFacts> Parameters { get; private init; }
        public List<SyntaxSet> Sets { get; private init; }
        public List<string> OutputTypes { get; private init; }

        public static bool IsCommon(string name) => Common.Contains(name);

        public static CommandModel Of(CmdletInfo info)
        {
            var facts = new List<ParameterFacts>();
            foreach (ParameterMetadata p in info.Parameters.Values)
            {
                if (IsCommon(p.Name)) continue;
                var sets = p.ParameterSets.Values.ToList();
                var positions = sets.Select(s => s.Position).Distinct().ToList();
                facts.Add(new ParameterFacts
                {
                    Name = p.Name,
                    Type = p.ParameterType,
                    Required = sets.Count > 0 && sets.All(s => s.IsMandatory),
                    Position = positions.Count == 1 && positions[0] != int.MinValue ? positions[0].ToString() : "named",
                    ByValue = sets.Any(s => s.ValueFromPipeline),
                    ByPropertyName = sets.Any(s => s.ValueFromPipelineByPropertyName),
                    Aliases = p.Aliases.ToList(),
                    Wildcards = p.Attributes.OfType<SupportsWildcardsAttribute>().Any(),
                });
            }
            var byName = facts.ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);

            // The default set first, as the engine shows syntax; within a set: positional parameters
            // by position, then the mandatory ones, then the rest, -WhatIf and -Confirm last.
            var syntax = new List<SyntaxSet>();
            foreach (CommandParameterSetInfo set in info.ParameterSets.OrderByDescending(s => s.IsDefault))
            {
                var ps = set.Parameters.Where(p => !IsCommon(p.Name))
                    .Select((p, index) => (p, index))
                    .OrderBy(x => x.p.Name == "WhatIf" || x.p.Name == "Confirm" ? 3 : x.p.Position != int.MinValue ? 0 : x.p.IsMandatory ? 1 : 2)
                    .ThenBy(x => x.p.Position == int.MinValue ? 0 : x.p.Position)
                    .ThenBy(x => x.index)
                    .Select(x => new SyntaxParameter
                    {
                        Facts = byName[x.p.Name],
                        Mandatory = x.p.IsMandatory,
                        Position = x.p.Position == int.MinValue ? null : x.p.Position,
                    })
                    .ToList();
                syntax.Add(new SyntaxSet { Name = set.Name, Parameters = ps });
            }

            return new CommandModel
            {
                Info = info,
                Parameters = facts,
                Sets = syntax,
                OutputTypes = info.OutputType.Select(t => t.Name).Distinct().ToList(),
            };
        }

        /// <summary>A type as help shows it: String[], SecureString, IVcsServer[].</summary>
        public static string ShortName(Type t)
        {
            if (t.IsArray) return ShortName(t.GetElementType()) + "[]";
            Type inner = Nullable.GetUnderlyingType(t);
            if (inner != null) return ShortName(inner);
            if (t.IsGenericType) return t.Name.Substring(0, t.Name.IndexOf('`')) + "[" + string.Join(", ", t.GetGenericArguments().Select(ShortName)) + "]";
            return t.Name;
        }

        /// <summary>A type's full name without assembly qualifications: System.String[], System.Nullable[System.Boolean].</summary>
        public static string FullName(Type t)
        {
            if (t.IsArray) return FullName(t.GetElementType()) + "[]";
            if (t.IsGenericType) return t.Namespace + "." + t.Name.Substring(0, t.Name.IndexOf('`')) + "[" + string.Join(", ", t.GetGenericArguments().Select(FullName)) + "]";
            return t.FullName ?? t.Name;
        }

        /// <summary>
        /// The name an output description is matched on: the type's name without its namespace, an
        /// interface's leading I or a class's Impl suffix, so IVcsUser and VcsUserImpl both read VcsUser.
        /// </summary>
        public static string OutputKey(string typeName)
        {
            string name = typeName.Substring(typeName.LastIndexOf('.') + 1);
            if (name.EndsWith("Impl", StringComparison.Ordinal)) name = name.Substring(0, name.Length - 4);
            if (name.Length > 1 && name[0] == 'I' && char.IsUpper(name[1])) name = name.Substring(1);
            return name;
        }
    }
}
