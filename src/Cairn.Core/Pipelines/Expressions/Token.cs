namespace Cairn.Core.Pipelines.Expressions;

internal enum TokenKind
{
    Identifier,
    String,
    Number,
    Dot,
    LeftBracket,
    RightBracket,
    LeftParen,
    RightParen,
    Comma,
    Equal,
    NotEqual,
    And,
    Or,
    Not,

    /// <summary>Text the tokenizer could not read; its error is already reported.</summary>
    Invalid,
    End,
}

/// <param name="Text">The token as written.</param>
/// <param name="Value">For a string, its content with <c>''</c> unescaped; otherwise the text.</param>
internal sealed record Token(TokenKind Kind, string Text, int Offset, string Value)
{
    public string Describe() => Kind switch
    {
        TokenKind.End => "end of expression",
        TokenKind.String => $"the string {Text}",
        _ => $"'{Text}'",
    };
}
