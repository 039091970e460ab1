using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Cairn.Core.Pipelines.Grammar;

/// <summary>A YAML document read into <see cref="YamlNode"/>s, or the syntax error that stopped the reading.</summary>
internal sealed record YamlReadResult(YamlNode? Root, IReadOnlyList<(int Line, int Column, string Message)> Errors);

/// <summary>Reads YAML parser events into a position-carrying tree. Unlike the representation model it keeps duplicate
/// keys, so the validator can name both places, and it never throws on bad input.</summary>
internal static partial class YamlTreeReader
{
    private const int MaxDepth = 64;

    public static YamlReadResult Read(string yaml)
    {
        var errors = new List<(int, int, string)>();
        var anchors = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        try
        {
            var parser = new Parser(new StringReader(yaml));
            parser.Consume<StreamStart>();
            if (parser.TryConsume<StreamEnd>(out _))
            {
                return new YamlReadResult(null, errors);
            }

            parser.Consume<DocumentStart>();
            var root = ReadNode(parser, anchors, errors, 0);
            parser.Consume<DocumentEnd>();
            if (parser.Current is DocumentStart extra)
            {
                errors.Add(((int)extra.Start.Line, (int)extra.Start.Column,
                    "a pipeline file holds one YAML document; remove the second '---' document"));
            }

            return new YamlReadResult(root, errors);
        }
        catch (YamlException e)
        {
            var (line, column) = e.Message.Contains("tab", StringComparison.OrdinalIgnoreCase) && FirstIndentingTab(yaml) is { } tab
                ? tab
                : ((int)e.Start.Line, (int)e.Start.Column);
            errors.Add((line, column, CleanMessage(e.Message)));
            return new YamlReadResult(null, errors);
        }
    }

    // The YAML scanner reports a tab used as indentation at the start of the mapping it was scanning;
    // the person needs the tab itself.
    private static (int Line, int Column)? FirstIndentingTab(string yaml)
    {
        var lines = yaml.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var indent = lines[i].Length - lines[i].TrimStart(' ', '\t').Length;
            var tab = lines[i].IndexOf('\t', StringComparison.Ordinal);
            if (tab >= 0 && tab < indent)
            {
                return (i + 1, tab + 1);
            }
        }

        return null;
    }

    private static YamlNode ReadNode(IParser parser, Dictionary<string, YamlNode> anchors, List<(int, int, string)> errors, int depth)
    {
        var start = parser.Current ?? throw new YamlException("unexpected end of the document");
        if (depth > MaxDepth)
        {
            throw new YamlException(start.Start, start.End, $"the document nests deeper than {MaxDepth} levels");
        }

        parser.MoveNext();
        YamlNode node = start switch
        {
            Scalar s => new YamlScalar(s.Value, StyleOf(s.Style), L(s.Start), C(s.Start), L(s.End), C(s.End)),
            SequenceStart => ReadSequence(parser, start, anchors, errors, depth),
            MappingStart => ReadMapping(parser, start, anchors, errors, depth),
            AnchorAlias alias => anchors.TryGetValue(alias.Value.Value, out var target)
                ? target
                : throw new YamlException(alias.Start, alias.End, $"alias '*{alias.Value}' names no anchor defined before it"),
            _ => throw new YamlException(start.Start, start.End, $"unexpected {start.GetType().Name}"),
        };

        if (start is NodeEvent { Anchor.IsEmpty: false } anchored)
        {
            anchors[anchored.Anchor.Value] = node;
        }

        return node;
    }

    private static YamlSequence ReadSequence(IParser parser, ParsingEvent start, Dictionary<string, YamlNode> anchors, List<(int, int, string)> errors, int depth)
    {
        var items = new List<YamlNode>();
        while (!parser.TryConsume<SequenceEnd>(out _))
        {
            items.Add(ReadNode(parser, anchors, errors, depth + 1));
        }

        return new YamlSequence(items, L(start.Start), C(start.Start), L(start.End), C(start.End));
    }

    private static YamlMapping ReadMapping(IParser parser, ParsingEvent start, Dictionary<string, YamlNode> anchors, List<(int, int, string)> errors, int depth)
    {
        var entries = new List<YamlEntry>();
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var key = ReadNode(parser, anchors, errors, depth + 1);
            var value = ReadNode(parser, anchors, errors, depth + 1);
            if (key is YamlScalar scalarKey)
            {
                entries.Add(new YamlEntry(scalarKey, value));
            }
            else
            {
                errors.Add((key.Line, key.Column, "a key must be a plain name, not a list or mapping"));
            }
        }

        return new YamlMapping(entries, L(start.Start), C(start.Start), L(start.End), C(start.End));
    }

    private static ScalarStyle StyleOf(YamlDotNet.Core.ScalarStyle style) => style switch
    {
        YamlDotNet.Core.ScalarStyle.SingleQuoted => ScalarStyle.SingleQuoted,
        YamlDotNet.Core.ScalarStyle.DoubleQuoted => ScalarStyle.DoubleQuoted,
        YamlDotNet.Core.ScalarStyle.Literal => ScalarStyle.Literal,
        YamlDotNet.Core.ScalarStyle.Folded => ScalarStyle.Folded,
        _ => ScalarStyle.Plain,
    };

    private static int L(Mark mark) => (int)mark.Line;

    private static int C(Mark mark) => (int)mark.Column;

    /// <summary>YamlDotNet prefixes its messages with the places, which our own location already says.</summary>
    internal static string CleanMessage(string message)
    {
        var text = PlacePrefix().Replace(message, "").Trim();
        if (text.Length > 0 && char.IsUpper(text[0]) && (text.Length == 1 || !char.IsUpper(text[1])))
        {
            text = char.ToLowerInvariant(text[0]) + text[1..];
        }

        return text.TrimEnd('.');
    }

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\):\s*")]
    private static partial Regex PlacePrefix();
}
