namespace Cairn.Core.Logs;

/// <summary>Replaces every value a job's log must not show with <c>***</c>: each secret's lines, and its base64,
/// URL-encoded and JSON-escaped forms (<see cref="SecretForms"/>), all found in one pass (<see cref="FormIndex"/>).
/// Overlapping or touching occurrences are masked as one. Text without any of them comes back as the same string.
/// Values shorter than <see cref="MinLength"/> are not masked (it would destroy the log); <see cref="Unmasked"/>
/// names those secrets so that the log can say so.</summary>
public sealed class SecretMasker
{
    public const int MinLength = 4;
    public const string Placeholder = "***";

    private readonly FormIndex _forms;

    /// <summary>A masker for the job's secrets (name → value) and for <paramref name="otherValues"/>, which have no
    /// name (a repository's own token).</summary>
    public SecretMasker(IEnumerable<KeyValuePair<string, string>> secrets, IEnumerable<string>? otherValues = null)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        var named = secrets.ToList();
        // A value read from a file often ends in a newline that a step's own use of it drops: mask both.
        var values = named.Select(s => s.Value).Concat(otherValues ?? [])
            .SelectMany(v => v.Trim() is var trimmed && trimmed != v ? [v, trimmed] : new[] { v })
            .Where(v => v.Length > 0)
            .Distinct(StringComparer.Ordinal);
        var forms = values
            .SelectMany(SecretForms.Of)
            .Where(f => f.Length >= MinLength)
            .Distinct(StringComparer.Ordinal)
            .ToArray();

        _forms = new FormIndex(forms);
        LongestForm = forms.Length == 0 ? 0 : forms.Max(f => f.Length);
        Unmasked = named
            .Where(s => s.Value.Length > 0 && s.Value.Split('\n').All(line => line.TrimEnd('\r').Length < MinLength))
            .Select(s => s.Key)
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    public static SecretMasker None { get; } = new([]);

    /// <summary>The names of the secrets left unmasked because their values are shorter than <see cref="MinLength"/>.</summary>
    public IReadOnlyList<string> Unmasked { get; }

    /// <summary>The length of the longest text masked: text arriving in pieces is held back by one less than this.</summary>
    internal int LongestForm { get; }

    /// <summary>The text with every occurrence masked; the same instance when there is none.</summary>
    public string Mask(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (_forms.Find(text, 0, text.Length).Start < 0)
        {
            return text;
        }

        var output = new CharBuffer(text.Length);
        MaskInto(text, text.Length, 0, output);
        return output.ToString();
    }

    /// <summary>Appends <paramref name="text"/> to <paramref name="output"/> with every occurrence that starts before
    /// <paramref name="limit"/> masked, up to <paramref name="limit"/> or the end of the last occurrence, whichever is
    /// further. Nothing before <paramref name="written"/> is appended: it was masked already. Returns how far the text
    /// has been written.</summary>
    internal int MaskInto(ReadOnlySpan<char> text, int limit, int written, CharBuffer output)
    {
        var next = _forms.Find(text, 0, limit);
        while (next.Start >= 0)
        {
            var start = next.Start;
            var end = start + next.Length;
            next = _forms.Find(text, start + 1, limit);
            while (next.Start >= 0 && next.Start <= end)
            {
                end = Math.Max(end, next.Start + next.Length);
                next = _forms.Find(text, next.Start + 1, limit);
            }

            if (end > written)
            {
                if (start > written)
                {
                    output.Append(text[written..start]);
                }

                output.Append(Placeholder);
                written = end;
            }
        }

        if (written < limit)
        {
            output.Append(text[written..limit]);
            written = limit;
        }

        return written;
    }
}
