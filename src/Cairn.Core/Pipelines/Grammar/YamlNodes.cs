namespace Cairn.Core.Pipelines.Grammar;

/// <summary>How a scalar was written; decides whether an offset inside its value maps to a column in the file.</summary>
internal enum ScalarStyle
{
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

/// <summary>A YAML node with the 1-based place where it starts and ends.</summary>
internal abstract record YamlNode(int Line, int Column, int EndLine, int EndColumn);

internal sealed record YamlScalar(string Value, ScalarStyle Style, int Line, int Column, int EndLine, int EndColumn)
    : YamlNode(Line, Column, EndLine, EndColumn)
{
    /// <summary>A plain empty, <c>~</c> or <c>null</c> scalar: YAML's null.</summary>
    public bool IsNull => Style == ScalarStyle.Plain && Value is "" or "~" or "null" or "Null" or "NULL";
}

internal sealed record YamlSequence(IReadOnlyList<YamlNode> Items, int Line, int Column, int EndLine, int EndColumn)
    : YamlNode(Line, Column, EndLine, EndColumn);

/// <summary>A mapping with every entry as written, duplicates included, so that they can be reported with both places.</summary>
internal sealed record YamlMapping(IReadOnlyList<YamlEntry> Entries, int Line, int Column, int EndLine, int EndColumn)
    : YamlNode(Line, Column, EndLine, EndColumn);

internal sealed record YamlEntry(YamlScalar Key, YamlNode Value);
