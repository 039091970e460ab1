namespace Cairn.Core.Pipelines.Expressions;

/// <summary>Recursive descent over the tokens. Precedence, loosest first: <c>||</c>, <c>&amp;&amp;</c>, <c>== !=</c>, <c>!</c>.</summary>
/// <remarks>Reports at most one syntax error (later ones are usually echoes of the first) but always returns a tree,
/// with <see cref="MissingSyntax"/> where a value could not be read, so that names can still be checked.</remarks>
internal sealed class ExpressionParser
{
    // Pipelines come from repositories; the limits keep a hostile one from exhausting the stack of whoever checks it.
    internal const int MaxLength = 4000;
    internal const int MaxDepth = 50;

    private readonly List<Token> tokens;
    private readonly List<ExpressionError> errors;
    private int index;
    private int depth;
    private bool quiet;

    private ExpressionParser(List<Token> tokens, List<ExpressionError> errors)
    {
        this.tokens = tokens;
        this.errors = errors;
        // Text the tokenizer could not read is already reported; what the parser would say after it is mostly echo.
        quiet = tokens.Exists(t => t.Kind == TokenKind.Invalid);
    }

    private Token Current => tokens[index];

    /// <summary>Tokenizes and parses <paramref name="text"/>, adding every syntax problem to <paramref name="errors"/>.</summary>
    public static Syntax Parse(string text, List<ExpressionError> errors)
    {
        if (text.Length > MaxLength)
        {
            errors.Add(new ExpressionError(0, $"the expression is {text.Length} characters long; the limit is {MaxLength}"));
            return new MissingSyntax(0);
        }

        var parser = new ExpressionParser(Tokenizer.Tokenize(text, errors), errors);
        return parser.ParseWhole();
    }

    private Syntax ParseWhole()
    {
        if (Current.Kind == TokenKind.End)
        {
            Report(Current.Offset, "the expression is empty");
            return new MissingSyntax(Current.Offset);
        }

        var root = ParseOr();
        if (Current.Kind != TokenKind.End)
        {
            Report(Current.Offset, $"unexpected {Current.Describe()} after a complete expression; join conditions with && or ||");
        }

        return root;
    }

    private Syntax ParseOr(Token? after = null)
    {
        var left = ParseAnd(after);
        while (Current.Kind == TokenKind.Or)
        {
            var op = Take();
            left = new BinarySyntax(BinaryOperator.Or, left, ParseAnd(op), left.Offset);
        }

        return left;
    }

    private Syntax ParseAnd(Token? after = null)
    {
        var left = ParseEquality(after);
        while (Current.Kind == TokenKind.And)
        {
            var op = Take();
            left = new BinarySyntax(BinaryOperator.And, left, ParseEquality(op), left.Offset);
        }

        return left;
    }

    private Syntax ParseEquality(Token? after)
    {
        var left = ParseUnary(after);
        while (Current.Kind is TokenKind.Equal or TokenKind.NotEqual)
        {
            var op = Take();
            var kind = op.Kind == TokenKind.Equal ? BinaryOperator.Equal : BinaryOperator.NotEqual;
            left = new BinarySyntax(kind, left, ParseUnary(op), left.Offset);
        }

        return left;
    }

    private Syntax ParseUnary(Token? after)
    {
        if (Current.Kind != TokenKind.Not)
        {
            return ParsePrimary(after);
        }

        if (TooDeep(Current.Offset))
        {
            return new MissingSyntax(Current.Offset);
        }

        var op = Take();
        var not = new NotSyntax(ParseUnary(op), op.Offset);
        depth--;
        return not;
    }

    private bool TooDeep(int offset)
    {
        if (depth >= MaxDepth)
        {
            Report(offset, $"the expression nests too deeply: more than {MaxDepth} levels of '(' and '!'");
            quiet = true;
            return true;
        }

        depth++;
        return false;
    }

    private Syntax ParsePrimary(Token? after)
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.String:
                Take();
                return new LiteralSyntax(ExpressionValue.FromString(token.Value), token.Offset);
            case TokenKind.Number:
                Take();
                return new LiteralSyntax(ExpressionValue.FromString(token.Text), token.Offset);
            case TokenKind.Identifier:
                Take();
                return ParseWord(token);
            case TokenKind.LeftParen:
                if (TooDeep(token.Offset))
                {
                    return new MissingSyntax(token.Offset);
                }

                Take();
                var inner = ParseOr();
                Expect(TokenKind.RightParen, "')'", $"to close the '(' at offset {token.Offset}");
                depth--;
                return inner;
            case TokenKind.Invalid:
                Take();
                return new MissingSyntax(token.Offset);
            default:
                var where = after is null ? "" : $" after {after.Describe()}";
                Report(token.Offset, $"expected a value{where} but found {token.Describe()}");
                return new MissingSyntax(token.Offset);
        }
    }

    private Syntax ParseWord(Token word)
    {
        switch (word.Text)
        {
            case "true": return new LiteralSyntax(ExpressionValue.True, word.Offset);
            case "false": return new LiteralSyntax(ExpressionValue.False, word.Offset);
            case "null": return new LiteralSyntax(ExpressionValue.Null, word.Offset);
        }

        return Current.Kind switch
        {
            TokenKind.LeftParen => ParseCall(word),
            TokenKind.Dot or TokenKind.LeftBracket => ParseAccess(word),
            _ => new NameSyntax(word.Text, word.Offset),
        };
    }

    private Syntax ParseCall(Token name)
    {
        if (TooDeep(name.Offset))
        {
            return new MissingSyntax(name.Offset);
        }

        Take();
        var arguments = new List<Syntax>();
        if (Current.Kind is not (TokenKind.RightParen or TokenKind.End))
        {
            arguments.Add(ParseOr());
            while (Current.Kind == TokenKind.Comma)
            {
                arguments.Add(ParseOr(Take()));
            }
        }

        Expect(TokenKind.RightParen, "')'", $"to close the call to {name.Text}(");
        depth--;
        return new CallSyntax(name.Text, arguments, name.Offset);
    }

    private Syntax ParseAccess(Token context)
    {
        string key;
        int keyOffset;
        if (Take().Kind == TokenKind.Dot)
        {
            if (Current.Kind != TokenKind.Identifier)
            {
                Report(Current.Offset, $"expected a name after '{context.Text}.' but found {Current.Describe()}");
                return new MissingSyntax(context.Offset);
            }

            (key, keyOffset) = (Current.Text, Take().Offset);
        }
        else
        {
            if (Current.Kind != TokenKind.String)
            {
                Report(Current.Offset, $"expected a quoted key, like {context.Text}['name'], but found {Current.Describe()}");
                return new MissingSyntax(context.Offset);
            }

            (key, keyOffset) = (Current.Value, Take().Offset);
            Expect(TokenKind.RightBracket, "']'", $"to close {context.Text}['{key}'");
        }

        if (Current.Kind is TokenKind.Dot or TokenKind.LeftBracket)
        {
            Report(Current.Offset, $"'{context.Text}.{key}' has no fields: it is a plain value");
        }

        return new AccessSyntax(context.Text, key, keyOffset, context.Offset);
    }

    private void Expect(TokenKind kind, string what, string purpose)
    {
        if (Current.Kind == kind)
        {
            Take();
            return;
        }

        var found = Current.Kind == TokenKind.End ? "at end of expression" : $"but found {Current.Describe()}";
        Report(Current.Offset, $"expected {what} {found}, {purpose}");
    }

    private Token Take()
    {
        var token = Current;
        if (token.Kind != TokenKind.End)
        {
            index++;
        }

        return token;
    }

    private void Report(int offset, string message)
    {
        if (!quiet)
        {
            errors.Add(new ExpressionError(offset, message));
            quiet = true;
        }
    }
}
