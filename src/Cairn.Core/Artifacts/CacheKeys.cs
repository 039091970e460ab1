using System.Text;
using Cairn.Core.Pipelines.Expressions;

namespace Cairn.Core.Artifacts;

/// <summary>Expands a cache's <c>key</c> and <c>restore-keys</c> on the worker, once the workspace is there: every
/// <c>${{ }}</c> reads matrix, env and inputs as anywhere else, and <c>hashFiles(globs…)</c> is answered by the caller.</summary>
public static class CacheKeys
{
    /// <summary>The longest key a cache may have.</summary>
    public const int MaxLength = 512;

    /// <summary>The key <paramref name="template"/> stands for. Each distinct list of globs given to <c>hashFiles</c> is
    /// computed once, through <paramref name="hashFiles"/>, before anything is expanded.</summary>
    /// <exception cref="FormatException">The template does not parse, calls a status function, or expands to a key that
    /// is empty, longer than <see cref="MaxLength"/> characters, or holds control characters.</exception>
    public static async Task<string> ExpandAsync(
        string template,
        ExpressionContext context,
        Func<IReadOnlyList<string>, CancellationToken, Task<string>> hashFiles,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(hashFiles);
        var spans = ExpressionEngine.FindTemplateSpans(template, out var unclosed);
        if (unclosed is not null)
        {
            throw new FormatException($"the cache key '{template}' is not valid: {unclosed.Message}");
        }

        var trees = spans.Select(span => Parse(template, span.Expression)).ToList();
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var call in trees.SelectMany(HashFilesCalls))
        {
            var patterns = ExpressionChecker.HashFilesPatterns(call)!;
            var key = ExpressionEvaluator.HashFilesKey(patterns);
            if (!hashes.ContainsKey(key))
            {
                hashes[key] = await hashFiles(patterns, cancellationToken).ConfigureAwait(false);
            }
        }

        var evaluator = new ExpressionEvaluator(context, status: null, hashes);
        var result = new StringBuilder(template.Length);
        var copied = 0;
        for (var i = 0; i < spans.Count; i++)
        {
            result.Append(template, copied, spans[i].Offset - copied).Append(evaluator.Evaluate(trees[i]).Text);
            copied = spans[i].Offset + spans[i].Length;
        }

        return Checked(template, result.Append(template, copied, template.Length - copied).ToString());
    }

    private static Syntax Parse(string template, string expression)
    {
        var errors = new List<ExpressionError>();
        var tree = ExpressionParser.Parse(expression, errors);
        ExpressionChecker.Check(tree, scope: null, errors);
        if (errors.Count > 0)
        {
            throw new FormatException($"the cache key '{template}' is not valid: {errors.MinBy(e => e.Offset)!.Message}");
        }

        if (ExpressionChecker.NamesStatusFunction(tree))
        {
            throw new FormatException($"the cache key '{template}' is not valid: status functions can only be used in if:");
        }

        return tree;
    }

    private static IEnumerable<CallSyntax> HashFilesCalls(Syntax node) => node switch
    {
        CallSyntax { Name: ExpressionChecker.HashFiles } call => [call],
        CallSyntax call => call.Arguments.SelectMany(HashFilesCalls),
        NotSyntax not => HashFilesCalls(not.Operand),
        BinarySyntax binary => HashFilesCalls(binary.Left).Concat(HashFilesCalls(binary.Right)),
        _ => [],
    };

    private static string Checked(string template, string key)
    {
        if (string.IsNullOrWhiteSpace(key))
        {
            throw new FormatException($"the cache key '{template}' expands to nothing; give it some fixed text, like deps-${{{{ hashFiles('**/*.lock') }}}}");
        }

        if (key.Length > MaxLength)
        {
            throw new FormatException($"the cache key '{template}' expands to {key.Length} characters; at most {MaxLength} are allowed");
        }

        if (key.Any(char.IsControl))
        {
            throw new FormatException($"the cache key '{template}' expands to a key with control characters (a line break or tab); keys are one line of text");
        }

        return key;
    }
}
