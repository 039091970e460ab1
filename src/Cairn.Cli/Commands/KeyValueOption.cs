namespace Cairn.Cli.Commands;

/// <summary>Reads repeated <c>--flag NAME=VALUE</c> options into a map; the last one given wins.</summary>
internal static class KeyValueOption
{
    public static IReadOnlyDictionary<string, string> Parse(string flag, IEnumerable<string>? values, List<string> errors)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in values ?? [])
        {
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                errors.Add($"{flag} takes NAME=VALUE, not '{item}'");
                continue;
            }

            result[item[..equals]] = item[(equals + 1)..];
        }

        return result;
    }
}
