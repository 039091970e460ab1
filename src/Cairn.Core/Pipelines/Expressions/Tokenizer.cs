namespace Cairn.Core.Pipelines.Expressions;

/// <summary>Splits expression text into tokens. Near misses (<c>=</c>, <c>&amp;</c>, double quotes) are reported and read
/// as what was meant, so that checking can go on and report every problem at once.</summary>
internal sealed class Tokenizer
{
    private readonly string text;
    private readonly List<ExpressionError> errors;
    private readonly List<Token> tokens = [];
    private int position;
    private bool templateOpenReported;

    private Tokenizer(string text, List<ExpressionError> errors)
    {
        this.text = text;
        this.errors = errors;
    }

    public static List<Token> Tokenize(string text, List<ExpressionError> errors)
    {
        var tokenizer = new Tokenizer(text, errors);
        tokenizer.Run();
        return tokenizer.tokens;
    }

    private void Run()
    {
        while (true)
        {
            while (position < text.Length && char.IsWhiteSpace(text[position]))
            {
                position++;
            }

            if (position >= text.Length)
            {
                tokens.Add(new Token(TokenKind.End, "", text.Length, ""));
                return;
            }

            ReadToken();
        }
    }

    private void ReadToken()
    {
        var c = text[position];
        var next = position + 1 < text.Length ? text[position + 1] : '\0';
        switch (c)
        {
            case '\'':
                ReadString('\'');
                break;
            case '"':
                Report(position, "strings use single quotes: write 'text', not \"text\"");
                ReadString('"');
                break;
            case '.': Add(TokenKind.Dot, 1); break;
            case '[': Add(TokenKind.LeftBracket, 1); break;
            case ']': Add(TokenKind.RightBracket, 1); break;
            case '(': Add(TokenKind.LeftParen, 1); break;
            case ')': Add(TokenKind.RightParen, 1); break;
            case ',': Add(TokenKind.Comma, 1); break;
            case '!': Add(next == '=' ? TokenKind.NotEqual : TokenKind.Not, next == '=' ? 2 : 1); break;
            case '=': ReadDoubled(TokenKind.Equal, next); break;
            case '&': ReadDoubled(TokenKind.And, next); break;
            case '|': ReadDoubled(TokenKind.Or, next); break;
            default:
                ReadOther(c, next);
                break;
        }
    }

    private void ReadOther(char c, char next)
    {
        if (char.IsAsciiDigit(c) || (c == '-' && char.IsAsciiDigit(next)))
        {
            ReadNumber();
        }
        else if (char.IsAsciiLetter(c) || c == '_')
        {
            var start = position;
            while (position < text.Length && (char.IsAsciiLetterOrDigit(text[position]) || text[position] is '_' or '-'))
            {
                position++;
            }

            var word = text[start..position];
            tokens.Add(new Token(TokenKind.Identifier, word, start, word));
        }
        else if (c == '$' && next == '{')
        {
            Invalid(text.AsSpan(position).StartsWith("${{") ? 3 : 2, "'${{' cannot appear inside an expression: write the whole condition inside one ${{ }}, or leave the ${{ }} out");
            templateOpenReported = true;
        }
        else if (c == '}' && next == '}' && templateOpenReported)
        {
            // The closing half of a '${{' already reported.
            Add(TokenKind.Invalid, 2);
        }
        else if (c is '<' or '>')
        {
            Invalid(next == '=' ? 2 : 1, $"unexpected '{c}': the operators are ==, !=, &&, || and !");
        }
        else
        {
            Invalid(1, $"unexpected character '{c}'");
        }
    }

    // '=' '&' '|' alone are read as the doubled operator, after saying so.
    private void ReadDoubled(TokenKind kind, char next)
    {
        var c = text[position];
        if (next == c)
        {
            Add(kind, 2);
            return;
        }

        Report(position, $"unexpected '{c}'; did you mean '{c}{c}'?");
        Add(kind, 1);
    }

    private void ReadString(char quote)
    {
        var start = position++;
        var value = new System.Text.StringBuilder();
        while (position < text.Length)
        {
            if (text[position] != quote)
            {
                value.Append(text[position++]);
            }
            else if (position + 1 < text.Length && text[position + 1] == quote)
            {
                value.Append(quote);
                position += 2;
            }
            else
            {
                position++;
                tokens.Add(new Token(TokenKind.String, text[start..position], start, value.ToString()));
                return;
            }
        }

        Report(start, $"unterminated string: end it with {quote}");
        tokens.Add(new Token(TokenKind.String, text[start..], start, value.ToString()));
    }

    private void ReadNumber()
    {
        var start = position++;
        while (position < text.Length && char.IsAsciiDigit(text[position]))
        {
            position++;
        }

        if (position + 1 < text.Length && text[position] == '.' && char.IsAsciiDigit(text[position + 1]))
        {
            position++;
            while (position < text.Length && char.IsAsciiDigit(text[position]))
            {
                position++;
            }
        }

        var number = text[start..position];
        tokens.Add(new Token(TokenKind.Number, number, start, number));
    }

    private void Add(TokenKind kind, int length)
    {
        var tokenText = text.Substring(position, length);
        tokens.Add(new Token(kind, tokenText, position, tokenText));
        position += length;
    }

    private void Invalid(int length, string message)
    {
        Report(position, message);
        Add(TokenKind.Invalid, length);
    }

    private void Report(int offset, string message) => errors.Add(new ExpressionError(offset, message));
}
