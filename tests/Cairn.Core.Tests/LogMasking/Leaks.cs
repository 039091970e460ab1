using System.Globalization;
using System.Text;

namespace Cairn.Core.Tests.LogMasking;

/// <summary>Looks for a secret in masked output by decoding it the way a reader of the log could, independently of the
/// forms the masker searches for: as text, from every base64 run at every alignment, URL-decoded, and JSON-unescaped.</summary>
internal static class Leaks
{
    /// <summary>How the secret can still be read from <paramref name="output"/>, or null when it cannot.</summary>
    public static string? Find(string output, string secret)
    {
        foreach (var line in secret.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length >= 4))
        {
            if (output.Contains(line, StringComparison.Ordinal))
            {
                return $"as text: {line}";
            }
        }

        if (secret.Length < 4)
        {
            return null;
        }

        var bytes = Encoding.UTF8.GetBytes(secret);
        if (Base64Runs(output).Any(run => DecodesToContain(run, bytes)))
        {
            return "in base64";
        }

        if (UrlDecode(output).Contains(secret, StringComparison.Ordinal))
        {
            return "URL-encoded";
        }

        return JsonUnescape(output).Contains(secret, StringComparison.Ordinal) ? "JSON-escaped" : null;
    }

    /// <summary>Maximal runs of base64 characters (either alphabet, turned into the standard one), padding dropped.</summary>
    private static IEnumerable<string> Base64Runs(string text)
    {
        var run = new StringBuilder();
        foreach (var c in text.Append('\n'))
        {
            if (char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '-' or '_')
            {
                run.Append(c switch { '-' => '+', '_' => '/', _ => c });
                continue;
            }

            if (run.Length >= 4)
            {
                yield return run.ToString();
            }

            run.Clear();
        }
    }

    private static bool DecodesToContain(string run, byte[] secret)
    {
        for (var start = 0; start < 4 && start < run.Length; start++)
        {
            var usable = (run.Length - start) / 4 * 4;
            if (usable == 0)
            {
                continue;
            }

            var decoded = Convert.FromBase64String(run.Substring(start, usable));
            if (decoded.AsSpan().IndexOf(secret) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    private static string UrlDecode(string text)
    {
        var bytes = new List<byte>();
        var plain = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '%' && i + 2 < text.Length && byte.TryParse(text.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var b))
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(plain.ToString()));
                plain.Clear();
                bytes.Add(b);
                i += 2;
            }
            else
            {
                plain.Append(text[i] == '+' ? ' ' : text[i]);
            }
        }

        bytes.AddRange(Encoding.UTF8.GetBytes(plain.ToString()));
        return Encoding.UTF8.GetString([.. bytes]);
    }

    private static string JsonUnescape(string text)
    {
        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\' || i + 1 >= text.Length)
            {
                result.Append(text[i]);
                continue;
            }

            var next = text[++i];
            if (next == 'u' && i + 4 < text.Length && ushort.TryParse(text.AsSpan(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
            {
                result.Append((char)code);
                i += 4;
                continue;
            }

            result.Append(next switch { 'n' => '\n', 'r' => '\r', 't' => '\t', 'b' => '\b', 'f' => '\f', _ => next });
        }

        return result.ToString();
    }
}
