using Cairn.Core.Pipelines.Expressions;

namespace Cairn.Core.Tests.Expressions;

public sealed class TemplateTests
{
    private static readonly ExpressionContext Context = new(
        new Dictionary<string, string> { ["os"] = "linux", ["dotnet"] = "10" },
        new Dictionary<string, string> { ["NAME"] = "it's", ["REGISTRY"] = "ghcr.io/acme" },
        new Dictionary<string, string> { ["target"] = "staging" });

    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("", "")]
    [InlineData("${{ matrix.os }}", "linux")]
    [InlineData("build-${{ matrix.os }}-${{ matrix.dotnet }}.zip", "build-linux-10.zip")]
    [InlineData("${{matrix.os}}${{matrix.dotnet}}", "linux10")]
    [InlineData("${{ env.REGISTRY }}/app:${{ inputs.target }}", "ghcr.io/acme/app:staging")]
    [InlineData("a ${{ env.NAME }} b", "a it's b")]
    [InlineData("${{ '}}' }}", "}}")]
    [InlineData("${{ 'it''s' }}!", "it's!")]
    [InlineData("[${{ matrix.missing }}]", "[]")]
    [InlineData("[${{ null }}]", "[]")]
    [InlineData("${{ matrix.os == 'linux' }}", "true")]
    [InlineData("${{ !true }}", "false")]
    [InlineData("${{ matrix.os && matrix.dotnet }}", "true")]
    [InlineData("${{ 42 }}", "42")]
    [InlineData("${{ 1 }} }}", "1 }}")]
    [InlineData("$ {{ matrix.os }} and ${ matrix.os }", "$ {{ matrix.os }} and ${ matrix.os }")]
    [InlineData("$${{ matrix.os }}", "$linux")]
    public void ExpandTemplate_ReplacesEachSpan_AndKeepsTheRest(string text, string expected)
    {
        Assert.Equal(expected, ExpressionEngine.ExpandTemplate(text, Context));
    }

    [Theory]
    [InlineData("x-${{ matrix.os")]
    [InlineData("${{ 'unterminated }}")]
    [InlineData("${{ matrix.os = 'x' }}")]
    [InlineData("${{ github.sha }}")]
    [InlineData("${{ }}")]
    public void ExpandTemplate_Throws_OnTextThatDoesNotParse(string text)
    {
        Assert.Throws<FormatException>(() => ExpressionEngine.ExpandTemplate(text, Context));
    }

    [Theory]
    [InlineData("${{ always() }}")]
    [InlineData("${{ false && success() }}")]
    public void ExpandTemplate_RefusesStatusFunctions(string text)
    {
        Assert.Throws<InvalidOperationException>(() => ExpressionEngine.ExpandTemplate(text, Context));
    }

    [Fact]
    public void FindTemplateSpans_GivesOffsetsLengthsAndInnerText()
    {
        const string text = "img-${{ matrix.os }}:${{inputs.target}}";

        var spans = ExpressionEngine.FindTemplateSpans(text, out var error);

        Assert.Null(error);
        Assert.Equal(
            [new TemplateSpan(4, 16, " matrix.os ", 7), new TemplateSpan(21, 18, "inputs.target", 24)],
            spans);
        Assert.All(spans, s => Assert.Equal(s.Expression, text.Substring(s.ExpressionOffset, s.Expression.Length)));
        Assert.All(spans, s => Assert.EndsWith("}}", text.Substring(s.Offset, s.Length), StringComparison.Ordinal));
    }

    [Fact]
    public void FindTemplateSpans_DoesNotCloseInsideAString()
    {
        var spans = ExpressionEngine.FindTemplateSpans("${{ 'a }} b' == 'it''s }}' }} tail", out var error);

        Assert.Null(error);
        var span = Assert.Single(spans);
        Assert.Equal(" 'a }} b' == 'it''s }}' ", span.Expression);
    }

    [Fact]
    public void FindTemplateSpans_ReportsAnUnclosedSpan_AtItsOffset()
    {
        var spans = ExpressionEngine.FindTemplateSpans("${{ a }} and ${{ b", out var error);

        Assert.Equal(new ExpressionError(13, "'${{' is not closed: end the expression with '}}'"), error);
        Assert.Equal(" a ", Assert.Single(spans).Expression);
    }

    [Fact]
    public void FindTemplateSpans_ReportsAStringLeftOpen_AtItsQuote()
    {
        ExpressionEngine.FindTemplateSpans("x ${{ 'abc }}", out var error);

        Assert.NotNull(error);
        Assert.Equal(6, error.Offset);
        Assert.StartsWith("unterminated string inside '${{ }}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FindTemplateSpans_FindsNothing_InPlainText()
    {
        Assert.Empty(ExpressionEngine.FindTemplateSpans("echo {{ not a template }} $HOME", out var error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("${{ matrix.os == 'x' }}", " matrix.os == 'x' ", 3)]
    [InlineData("  ${{always()}}", "always()", 5)]
    [InlineData("matrix.os == 'x'", "matrix.os == 'x'", 0)]
    [InlineData("${{ a }} && ${{ b }}", "${{ a }} && ${{ b }}", 0)]
    [InlineData("${{ a", "${{ a", 0)]
    public void UnwrapCondition_StripsAWholeWrapper_Only(string condition, string expected, int expectedOffset)
    {
        var expression = ExpressionEngine.UnwrapCondition(condition, out var offset);

        Assert.Equal(expected, expression);
        Assert.Equal(expectedOffset, offset);
        Assert.Equal(expected, condition.Substring(offset, expected.Length));
    }
}
