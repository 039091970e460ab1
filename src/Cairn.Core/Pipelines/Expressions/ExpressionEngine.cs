namespace Cairn.Core.Pipelines.Expressions;

/// <summary>The <c>${{ }}</c> language: literals, <c>matrix.x</c>/<c>env.X</c>/<c>inputs.x</c>, <c>== != &amp;&amp; || !</c>, parentheses,
/// and <c>success() failure() always() cancelled()</c>.</summary>
public static class ExpressionEngine
{
    /// <summary>Checks a bare expression (no <c>${{ }}</c>) against a scope: syntax, contexts, functions, names.</summary>
    public static IReadOnlyList<ExpressionError> Validate(string expression, ExpressionScope scope) =>
        throw new NotImplementedException();

    /// <summary>Evaluates a condition (bare, or wrapped in <c>${{ }}</c>) to true or false. A condition that names no status
    /// function is treated as <c>success() &amp;&amp; (condition)</c>, as users expect.</summary>
    public static bool EvaluateCondition(string condition, ExpressionContext context, StatusContext status) =>
        throw new NotImplementedException();

    /// <summary>Replaces each <c>${{ expr }}</c> in <paramref name="text"/> with the expression's string value.</summary>
    public static string ExpandTemplate(string text, ExpressionContext context) =>
        throw new NotImplementedException();

    /// <summary>The <c>${{ … }}</c> spans in a string: offset of <c>${{</c>, whole length, and the inner expression.
    /// An unclosed <c>${{</c> is reported as an error.</summary>
    public static IReadOnlyList<TemplateSpan> FindTemplateSpans(string text, out ExpressionError? error) =>
        throw new NotImplementedException();
}

/// <summary>One <c>${{ … }}</c> in a string.</summary>
public sealed record TemplateSpan(int Offset, int Length, string Expression, int ExpressionOffset);
