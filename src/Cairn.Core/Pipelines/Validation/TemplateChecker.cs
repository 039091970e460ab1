using Cairn.Core.Pipelines.Expressions;
using Cairn.Core.Pipelines.Grammar;

namespace Cairn.Core.Pipelines.Validation;

/// <summary>Checks the <c>${{ }}</c> templates in values and the <c>if:</c> conditions, pointing each problem at its character.</summary>
internal sealed class TemplateChecker(Diagnostics diagnostics)
{
    public const string RunMessage =
        "expressions are not expanded in 'run'; pass the value through env (env: { OS: \"${{ matrix.os }}\" }) and use $OS in the script";

    /// <summary>Every <c>${{ }}</c> in a value that is expanded before use (env values, image, runner, step names).</summary>
    public void CheckTemplate(YamlScalar node, ExpressionScope scope)
    {
        if (node.IsNull || !node.Value.Contains("${{", StringComparison.Ordinal))
        {
            return;
        }

        var spans = ExpressionEngine.FindTemplateSpans(node.Value, out var unclosed);
        if (unclosed is not null)
        {
            diagnostics.Error(diagnostics.At(node, unclosed.Offset), unclosed.Message);
        }

        foreach (var span in spans)
        {
            Report(node, span.ExpressionOffset, ExpressionEngine.Validate(span.Expression, scope));
        }
    }

    /// <summary>An <c>if:</c>, bare or wholly wrapped in <c>${{ }}</c>; returns the bare condition, or null if it is invalid.</summary>
    public string? CheckCondition(YamlScalar node, ExpressionScope scope)
    {
        var text = node.Value;
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            diagnostics.Error(node, "'if' is empty; remove it or give a condition like ${{ failure() }}");
            return null;
        }

        var start = text.IndexOf(trimmed, StringComparison.Ordinal);
        var expression = trimmed;
        var offset = start;
        if (trimmed.Contains("${{", StringComparison.Ordinal))
        {
            var spans = ExpressionEngine.FindTemplateSpans(text, out var unclosed);
            if (unclosed is not null)
            {
                diagnostics.Error(diagnostics.At(node, unclosed.Offset), unclosed.Message);
                return null;
            }

            if (spans.Count != 1 || spans[0].Offset != start || spans[0].Length != trimmed.Length)
            {
                diagnostics.Error(node, "'if' must be one condition, either bare (inputs.x == 'y') or wholly inside ${{ }}");
                return null;
            }

            expression = spans[0].Expression;
            offset = spans[0].ExpressionOffset;
        }

        var before = diagnostics.ErrorCount;
        Report(node, offset, ExpressionEngine.Validate(expression, scope));
        return diagnostics.ErrorCount == before ? expression.Trim() : null;
    }

    /// <summary><c>run:</c> is handed to the shell as written; a <c>${{</c> there is a mistake, not a template.</summary>
    public void CheckRun(YamlScalar node)
    {
        var at = node.Value.IndexOf("${{", StringComparison.Ordinal);
        if (at >= 0)
        {
            diagnostics.Error(diagnostics.At(node, at), RunMessage);
        }
    }

    private void Report(YamlScalar node, int offset, IReadOnlyList<ExpressionError> errors)
    {
        foreach (var error in errors)
        {
            diagnostics.Error(diagnostics.At(node, offset + error.Offset), error.Message);
        }
    }
}
