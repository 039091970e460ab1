using Cairn.Core.Pipelines.Expressions;

namespace Cairn.Core.Tests.Expressions;

public sealed class ParserTests
{
    [Theory]
    [InlineData("'a'", "'a'")]
    [InlineData("'it''s'", "'it's'")]
    [InlineData("10", "'10'")]
    [InlineData("-2.5", "'-2.5'")]
    [InlineData("true", "true")]
    [InlineData("null", "null")]
    [InlineData("matrix.os", "matrix.os")]
    [InlineData("matrix['node version']", "matrix.node version")]
    [InlineData("env.MY_VAR", "env.MY_VAR")]
    [InlineData("matrix.node-version", "matrix.node-version")]
    [InlineData("always()", "always()")]
    [InlineData("a || b || c", "(|| (|| a b) c)")]
    [InlineData("a && b || c", "(|| (&& a b) c)")]
    [InlineData("a || b && c", "(|| a (&& b c))")]
    [InlineData("a == b && c != d", "(&& (== a b) (!= c d))")]
    [InlineData("!a == b", "(== (! a) b)")]
    [InlineData("!(a == b)", "(! (== a b))")]
    [InlineData("!!a", "(! (! a))")]
    [InlineData("(a || b) && c", "(&& (|| a b) c)")]
    [InlineData("a == b == c", "(== (== a b) c)")]
    [InlineData("  a\t==\nb  ", "(== a b)")]
    [InlineData("matrix.os=='x'&&!failure()", "(&& (== matrix.os 'x') (! failure()))")]
    public void Parse_BuildsTheTree_WithTheDocumentedPrecedence(string expression, string expected)
    {
        var errors = new List<ExpressionError>();

        var tree = ExpressionParser.Parse(expression, errors);

        Assert.Empty(errors);
        Assert.Equal(expected, Render(tree));
    }

    [Fact]
    public void Parse_RecordsWhereEachNodeStarts()
    {
        var tree = ExpressionParser.Parse("x == matrix['os']", []);

        var binary = Assert.IsType<BinarySyntax>(tree);
        Assert.Equal(0, binary.Left.Offset);
        var access = Assert.IsType<AccessSyntax>(binary.Right);
        Assert.Equal((5, 12), (access.Offset, access.KeyOffset));
    }

    [Fact]
    public void Tokenize_ReadsNearMissesAsWhatWasMeant()
    {
        var errors = new List<ExpressionError>();

        var kinds = Tokenizer.Tokenize("a = b & c | \"d\"", errors).Select(t => t.Kind);

        Assert.Equal(
            [
                TokenKind.Identifier, TokenKind.Equal, TokenKind.Identifier, TokenKind.And, TokenKind.Identifier,
                TokenKind.Or, TokenKind.String, TokenKind.End,
            ],
            kinds);
        Assert.Equal([2, 6, 10, 12], errors.Select(e => e.Offset));
    }

    // A compact, unambiguous picture of a tree: strings quoted, operators prefix.
    private static string Render(Syntax node) => node switch
    {
        LiteralSyntax literal when literal.Value.IsNull => "null",
        LiteralSyntax literal when literal.Value.IsBool => literal.Value.Text,
        LiteralSyntax literal => $"'{literal.Value.Text}'",
        AccessSyntax access => $"{access.Context}.{access.Key}",
        NameSyntax name => name.Name,
        CallSyntax call => $"{call.Name}({string.Join(", ", call.Arguments.Select(Render))})",
        NotSyntax not => $"(! {Render(not.Operand)})",
        BinarySyntax binary => $"({Symbol(binary.Operator)} {Render(binary.Left)} {Render(binary.Right)})",
        _ => "?",
    };

    private static string Symbol(BinaryOperator op) => op switch
    {
        BinaryOperator.Equal => "==",
        BinaryOperator.NotEqual => "!=",
        BinaryOperator.And => "&&",
        _ => "||",
    };
}
