using Cairn.Core.Pipelines.Expressions;

namespace Cairn.Core.Tests.Expressions;

public sealed class EvaluationTests
{
    private static readonly ExpressionContext Context = new(
        new Dictionary<string, string> { ["os"] = "linux", ["dotnet"] = "10", ["node-version"] = "22", ["empty"] = "" },
        new Dictionary<string, string> { ["DEPLOY"] = "true", ["NAME"] = "it's", ["OFF"] = "false" },
        new Dictionary<string, string> { ["target"] = "staging" });

    [Theory]
    // Literals and truthiness: null, '' and false are false; everything else is true.
    [InlineData("true", true)]
    [InlineData("false", false)]
    [InlineData("null", false)]
    [InlineData("''", false)]
    [InlineData("'x'", true)]
    [InlineData("'false'", true)]
    [InlineData("'0'", true)]
    [InlineData("0", true)]
    [InlineData("matrix.empty", false)]
    [InlineData("matrix.missing", false)]
    [InlineData("env.OFF", true)]
    // Context reads, dot and index form.
    [InlineData("matrix.os == 'linux'", true)]
    [InlineData("matrix['os'] == 'linux'", true)]
    [InlineData("matrix.node-version == '22'", true)]
    [InlineData("matrix['node-version'] == 22", true)]
    [InlineData("inputs.target == 'staging'", true)]
    [InlineData("inputs['target'] != 'staging'", false)]
    [InlineData("env.DEPLOY == 'true'", true)]
    [InlineData("env.NAME == 'it''s'", true)]
    // Numbers compare by their string form.
    [InlineData("matrix.dotnet == 10", true)]
    [InlineData("matrix.dotnet == '10'", true)]
    [InlineData("matrix.dotnet == 10.0", false)]
    [InlineData("1.5 == '1.5'", true)]
    [InlineData("-1 == '-1'", true)]
    // Comparison is ordinal and case-sensitive.
    [InlineData("matrix.os == 'Linux'", false)]
    [InlineData("'a' != 'A'", true)]
    // Bool against bool compares bools; otherwise string forms, null being ''.
    [InlineData("true == true", true)]
    [InlineData("true == false", false)]
    [InlineData("true == 'true'", true)]
    [InlineData("env.DEPLOY == true", true)]
    [InlineData("false == ''", false)]
    [InlineData("null == ''", true)]
    [InlineData("matrix.missing == ''", true)]
    [InlineData("matrix.missing == null", true)]
    [InlineData("null == false", false)]
    [InlineData("(matrix.os == 'linux') == true", true)]
    // Logical operators.
    [InlineData("!false", true)]
    [InlineData("!''", true)]
    [InlineData("!'x'", false)]
    [InlineData("!!'x'", true)]
    [InlineData("'a' && ''", false)]
    [InlineData("'a' && 'b'", true)]
    [InlineData("'' || null", false)]
    [InlineData("'' || 'b'", true)]
    public void Values_CompareAndCombineAsDocumented(string expression, bool expected)
    {
        Assert.Equal(expected, ExpressionEngine.EvaluateCondition(expression, Context, StatusContext.AllSucceeded));
    }

    [Theory]
    // && binds tighter than ||.
    [InlineData("true || false && false", true)]
    [InlineData("(true || false) && false", false)]
    [InlineData("false && false || true", true)]
    [InlineData("false && (false || true)", false)]
    // == binds tighter than && and ||.
    [InlineData("matrix.os == 'linux' && matrix.dotnet == '10'", true)]
    [InlineData("matrix.os == 'mac' || matrix.dotnet == '10'", true)]
    [InlineData("'a' == 'a' && 'b' == 'c'", false)]
    // ! binds tighter than ==: (!'x') == false.
    [InlineData("!'x' == false", true)]
    [InlineData("!('x' == 'y')", true)]
    [InlineData("!matrix.os == 'linux'", false)]
    // Equality chains read left to right: ('a' == 'a') == true.
    [InlineData("'a' == 'a' == true", true)]
    [InlineData("'a' != 'b' != false", true)]
    public void Precedence_IsNotThenEqualityThenAndThenOr(string expression, bool expected)
    {
        Assert.Equal(expected, ExpressionEngine.EvaluateCondition(expression, Context, StatusContext.AllSucceeded));
    }

    [Theory]
    // No status function: success() && (condition) is implied.
    [InlineData("true", false, false, true)]
    [InlineData("true", true, false, false)]
    [InlineData("true", false, true, false)]
    [InlineData("false || true", true, false, false)]
    [InlineData("matrix.os == 'linux'", true, false, false)]
    // Named status functions take over.
    [InlineData("success()", false, false, true)]
    [InlineData("success()", true, false, false)]
    [InlineData("success()", false, true, false)]
    [InlineData("failure()", true, false, true)]
    [InlineData("failure()", false, false, false)]
    [InlineData("failure()", true, true, true)]
    [InlineData("cancelled()", false, true, true)]
    [InlineData("cancelled()", true, false, false)]
    [InlineData("always()", true, true, true)]
    [InlineData("always()", false, false, true)]
    [InlineData("always() && matrix.os == 'mac'", true, false, false)]
    [InlineData("failure() && matrix.os == 'linux'", true, false, true)]
    [InlineData("!cancelled()", true, false, true)]
    [InlineData("!cancelled()", false, true, false)]
    [InlineData("success() || failure()", true, false, true)]
    public void Conditions_ImplySuccess_UnlessTheyNameAStatusFunction(string condition, bool anyFailed, bool cancelled, bool expected)
    {
        var status = new StatusContext(anyFailed, cancelled);
        Assert.Equal(expected, ExpressionEngine.EvaluateCondition(condition, Context, status));
    }

    [Theory]
    [InlineData("${{ matrix.os == 'linux' }}", true)]
    [InlineData("  ${{ matrix.os == 'mac' }}  ", false)]
    [InlineData("${{always()}}", true)]
    [InlineData("${{ '}}' == '}}' }}", true)]
    public void Conditions_MayBeWrappedWhole(string condition, bool expected)
    {
        Assert.Equal(expected, ExpressionEngine.EvaluateCondition(condition, Context, new StatusContext(false, false)));
    }

    [Fact]
    public void Conditions_WrappedWhole_StillImplySuccess()
    {
        Assert.False(ExpressionEngine.EvaluateCondition("${{ true }}", Context, new StatusContext(AnyFailed: true, Cancelled: false)));
    }

    [Theory]
    [InlineData("matrix.os ==")]
    [InlineData("github.ref == 'main'")]
    [InlineData("contains(matrix.os, 'lin')")]
    [InlineData("linux")]
    [InlineData("${{ a }} && ${{ b }}")]
    [InlineData("")]
    public void Conditions_ThatDoNotParse_Throw(string condition)
    {
        Assert.Throws<FormatException>(() => ExpressionEngine.EvaluateCondition(condition, Context, StatusContext.AllSucceeded));
    }
}
