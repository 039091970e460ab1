using System.Text;

namespace Cairn.Core.Pipelines.Expressions;

/// <summary>The <c>${{ }}</c> language: literals, <c>matrix.x</c>/<c>env.X</c>/<c>inputs.x</c> (and <c>cairn.x</c> in
/// <c>concurrency.group</c> only), <c>== != &amp;&amp; || !</c>, parentheses, <c>success() failure() always() cancelled()</c>,
/// and, in a cache's keys only, <c>hashFiles(globs…)</c> (expanded by <see cref="Artifacts.CacheKeys"/> on the worker).</summary>
/// <remarks>Nothing else exists, on purpose: event data (branch names, titles) reaches scripts only as environment
/// variables, so it can never be spliced into a script. Evaluating an expression that does not parse, or names an
/// unknown context or function, throws <see cref="FormatException"/>; validate first to get every problem as a value.</remarks>
public static class ExpressionEngine
{
    /// <summary>Checks a bare expression (no <c>${{ }}</c>) against a scope: syntax, contexts, functions, names.
    /// Every problem is returned, in order of offset into <paramref name="expression"/>.</summary>
    public static IReadOnlyList<ExpressionError> Validate(string expression, ExpressionScope scope)
    {
        ArgumentNullException.ThrowIfNull(expression);
        ArgumentNullException.ThrowIfNull(scope);
        var errors = new List<ExpressionError>();
        var tree = ExpressionParser.Parse(expression, errors);
        ExpressionChecker.Check(tree, scope, errors);
        return [.. errors.OrderBy(e => e.Offset)];
    }

    /// <summary>Evaluates a condition (bare, or wrapped in <c>${{ }}</c>) to true or false. A condition that names no status
    /// function is treated as <c>success() &amp;&amp; (condition)</c>, as users expect.</summary>
    public static bool EvaluateCondition(string condition, ExpressionContext context, StatusContext status)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(status);
        var expression = UnwrapCondition(condition, out _);
        var tree = ParseChecked(expression);
        if (!ExpressionChecker.NamesStatusFunction(tree))
        {
            tree = new BinarySyntax(BinaryOperator.And, new CallSyntax("success", [], 0), tree, 0);
        }

        return new ExpressionEvaluator(context, status).Evaluate(tree).IsTruthy;
    }

    /// <summary>Replaces each <c>${{ expr }}</c> in <paramref name="text"/> with the expression's string value
    /// (null is empty, bools are <c>true</c>/<c>false</c>); text outside the spans is kept as it is.</summary>
    /// <exception cref="FormatException">A span is not closed, or its expression does not parse.</exception>
    /// <exception cref="InvalidOperationException">An expression calls a status function; those belong in <c>if:</c> only.</exception>
    public static string ExpandTemplate(string text, ExpressionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var spans = FindTemplateSpans(text, out var error);
        if (error is not null)
        {
            throw new FormatException($"{error.Message} (offset {error.Offset} in '{text}')");
        }

        if (spans.Count == 0)
        {
            return text;
        }

        var evaluator = new ExpressionEvaluator(context, status: null);
        var result = new StringBuilder(text.Length);
        var copied = 0;
        foreach (var span in spans)
        {
            var tree = ParseChecked(span.Expression);
            if (ExpressionChecker.NamesStatusFunction(tree))
            {
                throw new InvalidOperationException($"status functions can only be used in if:, not in '{text}'");
            }

            result.Append(text, copied, span.Offset - copied).Append(evaluator.Evaluate(tree).Text);
            copied = span.Offset + span.Length;
        }

        return result.Append(text, copied, text.Length - copied).ToString();
    }

    /// <summary>The <c>${{ … }}</c> spans in a string: offset of <c>${{</c>, whole length, and the inner expression.
    /// An unclosed <c>${{</c> is reported as an error.</summary>
    public static IReadOnlyList<TemplateSpan> FindTemplateSpans(string text, out ExpressionError? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TemplateScanner.FindSpans(text, out error);
    }

    /// <summary>The expression inside a condition written wholly as <c>${{ … }}</c>, or the condition itself when it is
    /// bare. <paramref name="offset"/> is where the returned expression starts in <paramref name="condition"/>.</summary>
    public static string UnwrapCondition(string condition, out int offset)
    {
        ArgumentNullException.ThrowIfNull(condition);
        offset = 0;
        var trimmed = condition.Trim();
        if (!trimmed.StartsWith("${{", StringComparison.Ordinal))
        {
            return condition;
        }

        var lead = condition.Length - condition.TrimStart().Length;
        var spans = TemplateScanner.FindSpans(trimmed, out var error);
        if (error is not null || spans.Count != 1 || spans[0].Length != trimmed.Length)
        {
            return condition;
        }

        offset = lead + spans[0].ExpressionOffset;
        return spans[0].Expression;
    }

    private static Syntax ParseChecked(string expression)
    {
        var errors = new List<ExpressionError>();
        var tree = ExpressionParser.Parse(expression, errors);
        ExpressionChecker.Check(tree, scope: null, errors);
        if (errors.Count > 0)
        {
            var first = errors.MinBy(e => e.Offset)!;
            throw new FormatException($"{first.Message} (offset {first.Offset} in '{expression}')");
        }

        return tree;
    }
}

/// <summary>One <c>${{ … }}</c> in a string.</summary>
public sealed record TemplateSpan(int Offset, int Length, string Expression, int ExpressionOffset);
