using System.Text;

namespace Cairn.Core.Logs;

/// <summary>What every stored line's text must be: no NUL (PostgreSQL's text refuses it), no lone surrogate (it has no
/// UTF-8 form), and at most <see cref="LogLine.MaxTextBytes"/> bytes of UTF-8.</summary>
public static class LogText
{
    public const char Replacement = '\uFFFD';

    /// <summary>The text with NUL and lone surrogates replaced by U+FFFD; the same instance when it has none.</summary>
    public static string Clean(string text)
    {
        var span = text.AsSpan();
        var nul = span.IndexOf('\0');
        var surrogate = span.IndexOfAnyInRange('\uD800', '\uDFFF');
        if (nul < 0 && (surrogate < 0 || !HasLoneSurrogate(span[surrogate..])))
        {
            return text;
        }

        return string.Create(text.Length, text, static (chars, source) =>
        {
            source.CopyTo(chars);
            for (var i = 0; i < chars.Length; i++)
            {
                var c = chars[i];
                if (c == '\0')
                {
                    chars[i] = Replacement;
                }
                else if (char.IsHighSurrogate(c) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
                {
                    i++;
                }
                else if (char.IsSurrogate(c))
                {
                    chars[i] = Replacement;
                }
            }
        });
    }

    /// <summary>How many characters of <paramref name="text"/> fit in <paramref name="maxBytes"/> bytes of UTF-8 without
    /// splitting a surrogate pair; the whole length when all of it fits.</summary>
    public static int FittingChars(ReadOnlySpan<char> text, int maxBytes)
    {
        if (text.Length <= maxBytes / 3)
        {
            return text.Length;
        }

        var bytes = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var pair = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            var size = c < 0x80 ? 1 : c < 0x800 ? 2 : pair ? 4 : 3;
            if (bytes + size > maxBytes)
            {
                return i;
            }

            bytes += size;
            if (pair)
            {
                i++;
            }
        }

        return text.Length;
    }

    public static int Utf8Length(string text) => Encoding.UTF8.GetByteCount(text);

    /// <summary>A size as a person reads it: "64 MiB", "512 KiB", "1000 bytes".</summary>
    public static string Size(long bytes) => bytes switch
    {
        >= 1 << 20 when bytes % (1 << 20) == 0 => $"{bytes >> 20} MiB",
        >= 1 << 10 when bytes % (1 << 10) == 0 => $"{bytes >> 10} KiB",
        _ => $"{bytes} bytes",
    };

    private static bool HasLoneSurrogate(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }

        return false;
    }
}
