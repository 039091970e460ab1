using System.Text;
using System.Text.Encodings.Web;

namespace Cairn.Core.Logs;

/// <summary>The texts a secret can show up as in a log: its raw lines, and its base64, URL-encoded and JSON-escaped
/// forms as the usual tools write them. A step that prints <c>printf %s "$TOKEN" | base64</c> must not leak it.</summary>
internal static class SecretForms
{
    private const string Alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>What each common URL encoder leaves as it is: RFC 3986 (.NET's EscapeDataString, Go, jq, Python's
    /// quote_plus), JavaScript's encodeURIComponent, Python's quote (keeps '/'), HTML forms, and .NET's
    /// WebUtility.UrlEncode.</summary>
    private static readonly string[] UrlKeeps =
    [
        Alphanumeric + "-._~",
        Alphanumeric + "-._~!'()*",
        Alphanumeric + "-._~/",
        Alphanumeric + "-._*",
        Alphanumeric + "-._!*()",
    ];

    /// <summary>Line widths at which <c>base64</c> (76) and <c>openssl base64</c> (64) wrap their output.</summary>
    private static readonly int[] WrapWidths = [76, 64];

    /// <summary>The last piece of a wrapped base64 text is masked only from this length on: a shorter one would mask
    /// ordinary words.</summary>
    private const int MinWrappedTail = 8;

    public static IEnumerable<string> Of(string value)
    {
        var lines = value.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        if (lines.Length > 1)
        {
            lines = [.. lines.SelectMany(l => l.Trim() is var trimmed && trimmed != l ? [l, trimmed] : new[] { l })];
        }

        foreach (var line in lines)
        {
            yield return line;
            foreach (var form in Url(line).Concat(Json(line)))
            {
                yield return form;
            }
        }

        if (value.Contains('\n', StringComparison.Ordinal))
        {
            // A multi-line value's encoded forms are single lines of their own.
            foreach (var form in Url(value).Concat(Json(value)))
            {
                yield return form;
            }
        }

        foreach (var form in Base64(Encoding.UTF8.GetBytes(value)))
        {
            yield return form;
        }
    }

    /// <summary>Base64 of the value at each of the three alignments it can have inside a longer encoded text (only the
    /// characters that depend on the value alone), and as a whole: unpadded, padded, and wrapped into lines.
    /// Standard and URL-safe alphabets.</summary>
    private static IEnumerable<string> Base64(byte[] value)
    {
        for (var offset = 0; offset < 3; offset++)
        {
            var shifted = new byte[offset + value.Length];
            value.CopyTo(shifted, offset);
            var encoded = Convert.ToBase64String(shifted);

            // Character i holds bits [6i, 6i + 6); the value holds bits [8 * offset, 8 * (offset + length)).
            var first = (8 * offset + 5) / 6;
            var lastWhole = 8 * (offset + value.Length) / 6;
            var padded = encoded[first..];
            foreach (var form in new[] { encoded[first..lastWhole], padded.TrimEnd('='), padded })
            {
                yield return form;
                yield return form.Replace('+', '-').Replace('/', '_');
            }

            if (offset == 0)
            {
                foreach (var width in WrapWidths.Where(w => encoded.Length > w))
                {
                    for (var start = 0; start < encoded.Length; start += width)
                    {
                        var piece = encoded[start..Math.Min(start + width, encoded.Length)];
                        if (piece.Length >= MinWrappedTail)
                        {
                            yield return piece;
                        }
                    }
                }
            }
        }
    }

    private static IEnumerable<string> Url(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        foreach (var keep in UrlKeeps)
        {
            foreach (var hex in new[] { "0123456789ABCDEF", "0123456789abcdef" })
            {
                yield return PercentEncode(bytes, keep, hex, space: "%20");
                yield return PercentEncode(bytes, keep, hex, space: "+");
            }
        }
    }

    private static string PercentEncode(byte[] bytes, string keep, string hex, string space)
    {
        var text = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (b == (byte)' ')
            {
                text.Append(space == "+" ? "+" : "%20");
            }
            else if (b < 0x80 && keep.Contains((char)b, StringComparison.Ordinal))
            {
                text.Append((char)b);
            }
            else
            {
                text.Append('%').Append(hex[b >> 4]).Append(hex[b & 0xF]);
            }
        }

        return text.ToString();
    }

    /// <summary>The string as JSON writers escape it, quotes left off: only what must be escaped (Go, Node, jq, with
    /// '/' escaped as PHP does), .NET's default (HTML characters and non-ASCII as \uXXXX), and ASCII-only with
    /// lower-case hex (Python).</summary>
    private static IEnumerable<string> Json(string value)
    {
        yield return JsonEscape(value, asciiOnly: false, escapeSlash: false);
        yield return JsonEscape(value, asciiOnly: false, escapeSlash: true);
        yield return JsonEscape(value, asciiOnly: true, escapeSlash: false);
        yield return JavaScriptEncoder.Default.Encode(value);
        yield return JavaScriptEncoder.UnsafeRelaxedJsonEscaping.Encode(value);
    }

    private static string JsonEscape(string value, bool asciiOnly, bool escapeSlash)
    {
        var text = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                case '/' when escapeSlash: text.Append("\\/"); break;
                case < ' ':
                case > '\x7f' when asciiOnly:
                    text.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    break;
                default: text.Append(c); break;
            }
        }

        return text.ToString();
    }
}
