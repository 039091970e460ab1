namespace Cairn.Core.Pipelines.Expressions;

/// <summary>Finds <c>${{ … }}</c> spans. Quotes are followed so that a <c>}}</c> inside a string literal does not close a span.</summary>
internal static class TemplateScanner
{
    private const string Open = "${{";
    private const string Close = "}}";

    public static List<TemplateSpan> FindSpans(string text, out ExpressionError? error)
    {
        var spans = new List<TemplateSpan>();
        var position = 0;
        int start;
        while ((start = text.IndexOf(Open, position, StringComparison.Ordinal)) >= 0)
        {
            var inner = start + Open.Length;
            var end = FindClose(text, inner, out var openQuote);
            if (end < 0)
            {
                error = openQuote >= 0
                    ? new ExpressionError(openQuote, "unterminated string inside '${{ }}': end it with ' (a '}}' inside quotes does not end the expression)")
                    : new ExpressionError(start, "'${{' is not closed: end the expression with '}}'");
                return spans;
            }

            spans.Add(new TemplateSpan(start, end + Close.Length - start, text[inner..end], inner));
            position = end + Close.Length;
        }

        error = null;
        return spans;
    }

    /// <summary>The index of the closing <c>}}</c>, or -1; <paramref name="openQuote"/> is where a string was left open.</summary>
    private static int FindClose(string text, int from, out int openQuote)
    {
        openQuote = -1;
        for (var i = from; i < text.Length; i++)
        {
            if (text[i] == '\'')
            {
                var quote = i;
                i = SkipString(text, i);
                if (i >= text.Length)
                {
                    openQuote = quote;
                    return -1;
                }
            }
            else if (string.CompareOrdinal(text, i, Close, 0, Close.Length) == 0)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>From an opening quote, the index of the closing one (<c>''</c> is an escaped quote), or the text length.</summary>
    private static int SkipString(string text, int quote)
    {
        var i = quote + 1;
        while (i < text.Length)
        {
            if (text[i] != '\'')
            {
                i++;
            }
            else if (i + 1 < text.Length && text[i + 1] == '\'')
            {
                i += 2;
            }
            else
            {
                return i;
            }
        }

        return text.Length;
    }
}
