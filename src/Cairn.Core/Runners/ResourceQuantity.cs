using System.Globalization;
using System.Text.RegularExpressions;

namespace Cairn.Core.Runners;

/// <summary>CPU and memory amounts written as Kubernetes writes them: <c>0.5</c> or <c>500m</c> cores,
/// <c>512Mi</c>, <c>1G</c> or <c>129e6</c> bytes.</summary>
public static partial class ResourceQuantity
{
    private static readonly Dictionary<string, decimal> MemorySuffixes = new(StringComparer.Ordinal)
    {
        [""] = 1m,
        ["k"] = 1e3m,
        ["M"] = 1e6m,
        ["G"] = 1e9m,
        ["T"] = 1e12m,
        ["P"] = 1e15m,
        ["E"] = 1e18m,
        ["Ki"] = 1024m,
        ["Mi"] = 1024m * 1024,
        ["Gi"] = 1024m * 1024 * 1024,
        ["Ti"] = 1024m * 1024 * 1024 * 1024,
        ["Pi"] = 1024m * 1024 * 1024 * 1024 * 1024,
        ["Ei"] = 1024m * 1024 * 1024 * 1024 * 1024 * 1024,
    };

    /// <summary>Bytes, rounded up to a whole byte; false for anything that is not a positive quantity.</summary>
    public static bool TryParseMemory(string text, out long bytes)
    {
        ArgumentNullException.ThrowIfNull(text);
        bytes = 0;
        var match = Quantity().Match(text.Trim());
        if (!match.Success || !TryNumber(match, out var number))
        {
            return false;
        }

        var suffix = match.Groups["suffix"].Value;
        decimal value;
        try
        {
            if (match.Groups["exponent"].Success)
            {
                if (suffix.Length > 0)
                {
                    return false;
                }

                value = number * Power10(int.Parse(match.Groups["exponent"].Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
            }
            else if (MemorySuffixes.TryGetValue(suffix, out var multiplier))
            {
                value = number * multiplier;
            }
            else
            {
                return false;
            }
        }
        catch (OverflowException)
        {
            return false;
        }

        if (value <= 0 || value > long.MaxValue)
        {
            return false;
        }

        bytes = (long)decimal.Ceiling(value);
        return true;
    }

    /// <summary>Cores: a number (<c>2</c>, <c>0.5</c>) or millicores (<c>500m</c>); false unless positive.</summary>
    public static bool TryParseCpu(string text, out double cores)
    {
        ArgumentNullException.ThrowIfNull(text);
        cores = 0;
        var match = Quantity().Match(text.Trim());
        if (!match.Success || match.Groups["exponent"].Success || !TryNumber(match, out var number))
        {
            return false;
        }

        var value = match.Groups["suffix"].Value switch
        {
            "" => number,
            "m" => number / 1000m,
            _ => -1m,
        };
        if (value <= 0)
        {
            return false;
        }

        cores = (double)value;
        return true;
    }

    /// <summary>How a person writes a byte count back: the largest binary unit that divides it.</summary>
    public static string FormatMemory(long bytes)
    {
        foreach (var unit in new[] { "Ei", "Pi", "Ti", "Gi", "Mi", "Ki" })
        {
            var size = (long)MemorySuffixes[unit];
            if (bytes >= size && bytes % size == 0)
            {
                return (bytes / size).ToString(CultureInfo.InvariantCulture) + unit;
            }
        }

        return bytes.ToString(CultureInfo.InvariantCulture);
    }

    private static bool TryNumber(Match match, out decimal number) =>
        decimal.TryParse(match.Groups["number"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out number);

    private static decimal Power10(int exponent)
    {
        if (exponent is < -28 or > 28)
        {
            throw new OverflowException();
        }

        var result = 1m;
        for (var i = 0; i < Math.Abs(exponent); i++)
        {
            result *= 10;
        }

        return exponent < 0 ? 1m / result : result;
    }

    [GeneratedRegex(@"^(?<number>[0-9]+(\.[0-9]*)?|\.[0-9]+)(?:[eE](?<exponent>[+-]?[0-9]{1,3})|(?<suffix>[A-Za-z]{0,2}))$")]
    private static partial Regex Quantity();
}
