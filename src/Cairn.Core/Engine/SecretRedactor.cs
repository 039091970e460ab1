namespace Cairn.Core.Engine;

/// <summary>Replaces the values of a job's secrets with <c>***</c> in each line before it is stored or shown.
/// Values shorter than <see cref="MinLength"/> are left alone: masking them would destroy the log.</summary>
public sealed class SecretRedactor
{
    public const int MinLength = 4;
    public const string Mask = "***";

    private readonly string[] _values;

    public SecretRedactor(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        _values = values
            .SelectMany(v => v.Split('\n').Append(v))
            .Select(v => v.TrimEnd('\r'))
            .Where(v => v.Length >= MinLength)
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(v => v.Length)
            .ToArray();
    }

    public static SecretRedactor None { get; } = new([]);

    public string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var value in _values)
        {
            if (text.Contains(value, StringComparison.Ordinal))
            {
                text = text.Replace(value, Mask, StringComparison.Ordinal);
            }
        }

        return text;
    }
}
