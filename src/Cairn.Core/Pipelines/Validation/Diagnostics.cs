using Cairn.Core.Pipelines.Grammar;

namespace Cairn.Core.Pipelines.Validation;

/// <summary>Collects the errors and warnings of one load, and turns node positions (and offsets inside scalars) into places.</summary>
internal sealed class Diagnostics(string file, string source)
{
    private readonly List<PipelineError> _errors = [];
    private readonly List<PipelineWarning> _warnings = [];
    private string[]? _lines;

    public string File => file;

    public bool HasErrors => _errors.Count > 0;

    public int ErrorCount => _errors.Count;

    /// <summary>Errors in file order; errors at the same place keep the order they were found in.</summary>
    public IReadOnlyList<PipelineError> Errors =>
        [.. _errors.OrderBy(e => e.Location.Line).ThenBy(e => e.Location.Column)];

    public IReadOnlyList<PipelineWarning> Warnings =>
        [.. _warnings.OrderBy(w => w.Location.Line).ThenBy(w => w.Location.Column)];

    public SourceLocation At(int line, int column) => new(file, Math.Max(line, 1), Math.Max(column, 1));

    public SourceLocation At(YamlNode node) => At(node.Line, node.Column);

    public void Error(SourceLocation location, string message) => _errors.Add(new PipelineError(location, message));

    public void Error(YamlNode node, string message) => Error(At(node), message);

    public void Warning(YamlNode node, string message) => _warnings.Add(new PipelineWarning(At(node), message));

    /// <summary>The place of a character inside a scalar's value, when the way it was written lets us know it; else the scalar's start.</summary>
    public SourceLocation At(YamlScalar scalar, int offset)
    {
        switch (scalar.Style)
        {
            case ScalarStyle.Plain when WrittenAsIs(scalar, 0):
                return At(scalar.Line, scalar.Column + offset);
            case ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted when WrittenAsIs(scalar, 2):
                return At(scalar.Line, scalar.Column + 1 + offset);
            case ScalarStyle.Literal:
                return InLiteralBlock(scalar, offset) ?? At(scalar);
            default:
                return At(scalar);
        }
    }

    /// <summary>A one-line scalar whose source span is exactly its value (plus quotes): no escapes or folding moved characters.</summary>
    private static bool WrittenAsIs(YamlScalar scalar, int quotes) =>
        scalar.Line == scalar.EndLine && scalar.EndColumn - scalar.Column == scalar.Value.Length + quotes;

    /// <summary>A literal block's value line i is source line (header line + 1 + i), indented by a fixed amount.</summary>
    private SourceLocation? InLiteralBlock(YamlScalar scalar, int offset)
    {
        _lines ??= source.Split('\n');
        var before = scalar.Value[..Math.Min(offset, scalar.Value.Length)];
        var lineIndex = before.Count(c => c == '\n');
        var lineStart = before.LastIndexOf('\n') + 1;
        var valueLineEnd = scalar.Value.IndexOf('\n', lineStart);
        var valueLine = valueLineEnd < 0 ? scalar.Value[lineStart..] : scalar.Value[lineStart..valueLineEnd];
        var sourceIndex = scalar.Line + lineIndex;
        if (sourceIndex >= _lines.Length)
        {
            return null;
        }

        var sourceLine = _lines[sourceIndex].TrimEnd('\r');
        if (!sourceLine.EndsWith(valueLine, StringComparison.Ordinal))
        {
            return null;
        }

        var indent = sourceLine.Length - valueLine.Length;
        return At(sourceIndex + 1, indent + (offset - lineStart) + 1);
    }
}
