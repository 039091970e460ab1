using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using k8s.Autorest;

namespace Cairn.Executors.Kubernetes;

/// <summary>Reads the API's refusal of a pod or Secret because a ResourceQuota of the namespace is used up: back-pressure
/// the job waits out, not a failure.</summary>
internal static partial class QuotaRefusal
{
    /// <summary>The API's status message when <paramref name="error"/> is a 403 for an exceeded quota; otherwise null.</summary>
    public static string? Message(HttpOperationException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (error.Response?.StatusCode != HttpStatusCode.Forbidden)
        {
            return null;
        }

        var message = StatusMessage(error.Response.Content) ?? error.Message;
        return message.Contains("exceeded quota", StringComparison.Ordinal) ? message : null;
    }

    /// <summary>The pending reason for a person: <c>throttled by quota (cpu 7/8)</c>, naming the first resource the message
    /// gives a use and a limit for; <c>throttled by quota (NAME)</c> when the message gives none.</summary>
    public static string Reason(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var requested = Quantities(RequestedPattern().Match(message));
        var used = Quantities(UsedPattern().Match(message));
        var limited = Quantities(LimitedPattern().Match(message));
        var named = limited.Where(l => used.ContainsKey(l.Key)).ToList();
        // The resource the request does not fit in; the first one named when the numbers cannot tell.
        var (resource, limit) = named.FirstOrDefault(l => Exceeds(requested, used, l.Key, l.Value) == true) is { Key: not null } over
            ? over
            : named.FirstOrDefault();
        if (resource is not null)
        {
            return $"throttled by quota ({PersonName(resource)} {used[resource]}/{limit})";
        }

        var name = NamePattern().Match(message);
        return name.Success ? $"throttled by quota ({name.Groups["name"].Value})" : "throttled by quota";
    }

    /// <summary><c>limits.cpu</c> → <c>cpu</c>, <c>requests.memory</c> → <c>memory</c>, <c>count/secrets</c> → <c>secrets</c>.</summary>
    public static string PersonName(string resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        foreach (var lead in new[] { "limits.", "requests.", "count/" })
        {
            if (resource.StartsWith(lead, StringComparison.Ordinal))
            {
                return resource[lead.Length..];
            }
        }

        return resource;
    }

    private static bool? Exceeds(Dictionary<string, string> requested, Dictionary<string, string> used, string resource, string limit)
    {
        try
        {
            var asked = requested.TryGetValue(resource, out var r) ? new k8s.Models.ResourceQuantity(r).ToDecimal() : 0m;
            return asked + new k8s.Models.ResourceQuantity(used[resource]).ToDecimal() > new k8s.Models.ResourceQuantity(limit).ToDecimal();
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static Dictionary<string, string> Quantities(Match match)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!match.Success)
        {
            return result;
        }

        foreach (var pair in match.Groups["list"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var at = pair.IndexOf('=', StringComparison.Ordinal);
            if (at > 0)
            {
                result.TryAdd(pair[..at], pair[(at + 1)..]);
            }
        }

        return result;
    }

    private static string? StatusMessage(string? content)
    {
        if (string.IsNullOrEmpty(content))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(content);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String
                    ? message.GetString()
                    : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"requested: (?<list>\S+), used:")]
    private static partial Regex RequestedPattern();

    [GeneratedRegex(@"used: (?<list>\S+), limited:")]
    private static partial Regex UsedPattern();

    [GeneratedRegex(@"limited: (?<list>\S+)")]
    private static partial Regex LimitedPattern();

    [GeneratedRegex(@"exceeded quota: (?<name>[^,]+)")]
    private static partial Regex NamePattern();
}
