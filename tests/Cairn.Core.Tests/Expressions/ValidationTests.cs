using Cairn.Core.Pipelines.Expressions;

namespace Cairn.Core.Tests.Expressions;

public sealed class ValidationTests
{
    private static readonly ExpressionScope IfScope = new(
        new HashSet<string> { "os", "dotnet" }, new HashSet<string> { "target" }, AllowStatusFunctions: true);

    private static readonly ExpressionScope ValueScope = IfScope with { AllowStatusFunctions = false };

    private static readonly ExpressionScope NoMatrixScope = IfScope with { MatrixAxes = null };

    private static readonly ExpressionScope NoInputsScope = IfScope with { Inputs = new HashSet<string>() };

    [Theory]
    [InlineData("matrix.os == 'linux'")]
    [InlineData("matrix['dotnet'] != 10 && inputs.target == 'prod'")]
    [InlineData("env.ANYTHING_AT_ALL == 'x'")]
    [InlineData("env['lower-case'] || !env.X")]
    [InlineData("always() && (failure() || cancelled() || success())")]
    [InlineData("  true  ")]
    [InlineData("null == ''")]
    [InlineData("'it''s }} here'")]
    public void Validate_AcceptsWellFormedExpressions(string expression)
    {
        Assert.Empty(ExpressionEngine.Validate(expression, IfScope));
    }

    [Theory]
    // Syntax.
    [InlineData("(matrix.os == 'linux'", 21, "expected ')' at end of expression, to close the '(' at offset 0")]
    [InlineData("(true 'x')", 6, "expected ')' but found the string 'x', to close the '(' at offset 0")]
    [InlineData("matrix.os = 'linux'", 10, "unexpected '='; did you mean '=='?")]
    [InlineData("true & false", 5, "unexpected '&'; did you mean '&&'?")]
    [InlineData("true | false", 5, "unexpected '|'; did you mean '||'?")]
    [InlineData("matrix.os == 'linux", 13, "unterminated string: end it with '")]
    [InlineData("matrix.os == \"linux\"", 13, "strings use single quotes: write 'text', not \"text\"")]
    [InlineData("matrix.os ==", 12, "expected a value after '==' but found end of expression")]
    [InlineData("true && )", 8, "expected a value after '&&' but found ')'")]
    [InlineData("!", 1, "expected a value after '!' but found end of expression")]
    [InlineData("", 0, "the expression is empty")]
    [InlineData("   ", 3, "the expression is empty")]
    [InlineData("'a' 'b'", 4, "unexpected the string 'b' after a complete expression; join conditions with && or ||")]
    [InlineData("true false", 5, "unexpected 'false' after a complete expression; join conditions with && or ||")]
    [InlineData("matrix.os.name", 9, "'matrix.os' has no fields: it is a plain value")]
    [InlineData("matrix.", 7, "expected a name after 'matrix.' but found end of expression")]
    [InlineData("matrix[os]", 7, "expected a quoted key, like matrix['name'], but found 'os'")]
    [InlineData("matrix['os'", 11, "expected ']' at end of expression, to close matrix['os'")]
    [InlineData("success(", 8, "expected ')' at end of expression, to close the call to success(")]
    [InlineData("1 < 2", 2, "unexpected '<': the operators are ==, !=, &&, || and !")]
    [InlineData("1 >= 2", 2, "unexpected '>': the operators are ==, !=, &&, || and !")]
    [InlineData("(true # false)", 6, "unexpected character '#'")]
    [InlineData("${{ true }}", 0, "'${{' cannot appear inside an expression: write the whole condition inside one ${{ }}, or leave the ${{ }} out")]
    // Names.
    [InlineData("github.ref == 'main'", 0, "unknown context 'github': expressions can read matrix, env and inputs; event data such as the branch is in environment variables like $CAIRN_BRANCH")]
    [InlineData("true && secrets['TOKEN']", 8, "unknown context 'secrets': expressions can read matrix, env and inputs; event data such as the branch is in environment variables like $CAIRN_BRANCH")]
    [InlineData("Matrix.os", 0, "unknown context 'Matrix'; did you mean 'matrix'?")]
    [InlineData("contains(matrix.os, 'lin')", 0, "unknown function 'contains': the functions are success(), failure(), always() and cancelled()")]
    [InlineData("sucess()", 0, "unknown function 'sucess'; did you mean success()?")]
    [InlineData("Always()", 0, "unknown function 'Always'; did you mean always()?")]
    [InlineData("success(true)", 0, "success() takes no arguments")]
    [InlineData("matrix.oss == 'linux'", 7, "unknown matrix key 'oss'; did you mean 'os'? (keys: os, dotnet)")]
    [InlineData("matrix['arch'] == 'x64'", 7, "unknown matrix key 'arch' (keys: os, dotnet)")]
    [InlineData("inputs.x", 7, "unknown input 'x' (declared: target)")]
    [InlineData("inputs.tagret == 'prod'", 7, "unknown input 'tagret'; did you mean 'target'? (declared: target)")]
    [InlineData("linux", 0, "unknown name 'linux': quote text to compare with it, like 'linux'")]
    [InlineData("matrix.os == True", 13, "unknown name 'True'; did you mean 'true'?")]
    [InlineData("matrix", 0, "'matrix' needs a key, like matrix.NAME or matrix['NAME']")]
    [InlineData("!always", 1, "'always' is a function: write always()")]
    public void Validate_ReportsTheProblem_AtItsOffset(string expression, int offset, string message)
    {
        var error = Assert.Single(ExpressionEngine.Validate(expression, IfScope));
        Assert.Equal(new ExpressionError(offset, message), error);
    }

    [Theory]
    [InlineData("always()", "status functions such as always() can only be used in if:")]
    [InlineData("'x' == 'x' && failure()", "status functions such as failure() can only be used in if:")]
    public void Validate_RejectsStatusFunctions_OutsideIf(string expression, string message)
    {
        var error = Assert.Single(ExpressionEngine.Validate(expression, ValueScope));
        Assert.Equal(message, error.Message);
        Assert.Empty(ExpressionEngine.Validate(expression, IfScope));
    }

    [Fact]
    public void Validate_RejectsMatrix_WhenTheJobHasNone()
    {
        var error = Assert.Single(ExpressionEngine.Validate("true && matrix.os == 'linux'", NoMatrixScope));
        Assert.Equal(new ExpressionError(8, "this job has no matrix"), error);
    }

    [Fact]
    public void Validate_RejectsInputs_WhenNoneAreDeclared()
    {
        var error = Assert.Single(ExpressionEngine.Validate("inputs.target", NoInputsScope));
        Assert.Equal(new ExpressionError(7, "no inputs are declared under on.manual.inputs"), error);
    }

    [Fact]
    public void Validate_ReportsEveryProblem_InOrderOfOffset()
    {
        var errors = ExpressionEngine.Validate("matrix.oss == 'a' && github.ref == 'b' && always() && contains()", ValueScope);

        Assert.Equal(
            [
                new ExpressionError(7, "unknown matrix key 'oss'; did you mean 'os'? (keys: os, dotnet)"),
                new ExpressionError(21, "unknown context 'github': expressions can read matrix, env and inputs; event data such as the branch is in environment variables like $CAIRN_BRANCH"),
                new ExpressionError(42, "status functions such as always() can only be used in if:"),
                new ExpressionError(54, "unknown function 'contains': the functions are success(), failure(), always() and cancelled()"),
            ],
            errors);
    }

    [Fact]
    public void Validate_ReportsNameProblems_AlongsideASyntaxError()
    {
        var errors = ExpressionEngine.Validate("(matrix.oss = 'a' && inputs.nope", IfScope);

        Assert.Equal(
            [
                new ExpressionError(8, "unknown matrix key 'oss'; did you mean 'os'? (keys: os, dotnet)"),
                new ExpressionError(12, "unexpected '='; did you mean '=='?"),
                new ExpressionError(28, "unknown input 'nope' (declared: target)"),
                new ExpressionError(32, "expected ')' at end of expression, to close the '(' at offset 0"),
            ],
            errors);
    }

    [Fact]
    public void Validate_ReportsOnlyTheFirstSyntaxError_NotItsEchoes()
    {
        var errors = ExpressionEngine.Validate("(true && ) || (", IfScope);

        var error = Assert.Single(errors);
        Assert.Equal(9, error.Offset);
    }

    [Fact]
    public void Validate_NeverFlagsEnvNames()
    {
        Assert.Empty(ExpressionEngine.Validate("env.CAIRN_BRANCH == 'main' && env['weird-name'] != ''", NoMatrixScope));
    }

    [Theory]
    [InlineData("(", ")")]
    [InlineData("!", "")]
    [InlineData("always(", ")")]
    public void Validate_RefusesDeepNesting_WithoutExhaustingTheStack(string open, string close)
    {
        var expression = string.Concat(Enumerable.Repeat(open, 10_000)) + "true" + string.Concat(Enumerable.Repeat(close, 10_000));
        expression = expression[..Math.Min(expression.Length, 3_900)];

        var errors = ExpressionEngine.Validate(expression, IfScope);

        var error = Assert.Single(errors, e => e.Message.StartsWith("the expression nests too deeply", StringComparison.Ordinal));
        Assert.Equal(50 * open.Length, error.Offset);
    }

    [Fact]
    public void Validate_RefusesOverlongExpressions()
    {
        var expression = string.Join(" || ", Enumerable.Repeat("true", 2_000));

        var error = Assert.Single(ExpressionEngine.Validate(expression, IfScope));

        Assert.Equal(new ExpressionError(0, $"the expression is {expression.Length} characters long; the limit is 4000"), error);
    }

    [Fact]
    public void Validate_AcceptsLongFlatChains_UpToTheLimit()
    {
        var expression = string.Join(" || ", Enumerable.Repeat("matrix.os", 250));

        Assert.Empty(ExpressionEngine.Validate(expression, IfScope));
        Assert.False(ExpressionEngine.EvaluateCondition(expression, ExpressionContext.Empty, StatusContext.AllSucceeded));
    }
}
