using System.Text;
using System.Text.Json.Nodes;
using Cairn.Core.Forges;

namespace Cairn.Forges.Tests.Webhooks;

/// <summary>Thousands of mutated deliveries, from the documented samples: bytes flipped, cut or inserted, fields
/// replaced by values of every kind, headers garbled. Whatever a sender makes up, Identify, Verify and Parse end in
/// a <see cref="WebhookFormatException"/> or a result, never another exception.</summary>
public sealed class WebhookFuzzTests : IDisposable
{
    private const int Rounds = 1500;

    private static readonly string[] EventNames =
    [
        "push", "pull_request", "ping", "Push Hook", "Tag Push Hook", "Merge Request Hook", "repo:push",
        "pullrequest:created", "pullrequest:updated", "", " ", "\u0000", "💥", "issues",
    ];

    private static readonly Func<Random, JsonNode?>[] Values =
    [
        _ => null,
        _ => JsonValue.Create(0),
        _ => JsonValue.Create(-1),
        _ => JsonValue.Create(2147483648L),
        _ => JsonValue.Create(1e308),
        _ => JsonValue.Create(0.5),
        _ => JsonValue.Create(true),
        _ => JsonValue.Create(""),
        _ => JsonValue.Create("x"),
        _ => JsonValue.Create(new string('0', 40)),
        _ => JsonValue.Create("0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c"),
        _ => JsonValue.Create("refs/heads/" + new string('a', 2000)),
        _ => JsonValue.Create("a\u0000b\nc"),
        _ => JsonValue.Create("refs/tags/v1"),
        _ => JsonValue.Create("OPEN"),
        _ => new JsonArray(),
        _ => new JsonArray(1, "a", null),
        _ => new JsonObject(),
        _ => new JsonObject { ["full_name"] = "a/b", ["hash"] = "abc", ["name"] = 3 },
        random => JsonValue.Create(RandomText(random)),
    ];

    private readonly ForgeCatalog _catalog = ForgeCatalog.Create(TimeProvider.System);

    public void Dispose() => _catalog.Dispose();

    [Theory]
    [MemberData(nameof(WebhookRobustnessTests.Samples), MemberType = typeof(WebhookRobustnessTests))]
    public void MutatedDeliveries_EndInAFormatErrorOrAResult(ForgeKind forge, string eventName, string sample)
    {
        var seed = sample.Aggregate(17, (hash, c) => unchecked((hash * 31) + c));
        var random = new Random(seed);
        var original = Deliveries.Sample(sample);
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var round = 0; round < Rounds; round++)
        {
            var (body, how) = Mutate(random, original);
            var request = Deliveries.Signed(forge, random.Next(4) == 0 ? Pick(random, EventNames) : eventName, body);
            request = GarbleHeaders(random, request);

            var outcome = Run(_catalog.Get(forge), request, $"seed {seed}, round {round}, {how}");
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        // The mutations must reach past the JSON reader: some deliveries still trigger, some are refused for a field.
        Assert.True(outcomes.GetValueOrDefault("Trigger") > 0, string.Join(", ", outcomes));
        Assert.True(outcomes.GetValueOrDefault("format") > 0, string.Join(", ", outcomes));
    }

    private static string Run(IForge forge, WebhookRequest request, string context)
    {
        try
        {
            forge.Verify(request, Deliveries.Secret);
            forge.Verify(request, "");
            forge.Identify(request);
            return forge.Parse(request).GetType().Name;
        }
        catch (WebhookFormatException error)
        {
            Assert.InRange(error.Message.Length, 1, 200);
            Assert.DoesNotContain(error.Message, c => char.IsControl(c));
            return "format";
        }
        catch (Exception error)
        {
            Assert.Fail($"{context}: {error}");
            throw;
        }
    }

    private static (byte[] Body, string How) Mutate(Random random, JsonObject original)
    {
        switch (random.Next(6))
        {
            case 0:
            case 1:
                {
                    var copy = original.DeepClone().AsObject();
                    var changes = 1 + random.Next(3);
                    for (var i = 0; i < changes; i++)
                    {
                        ReplaceSomeNode(random, copy);
                    }

                    return (Encoding.UTF8.GetBytes(copy.ToJsonString()), "fields replaced");
                }

            case 2:
                {
                    var bytes = Encoding.UTF8.GetBytes(original.ToJsonString());
                    for (var i = 0; i < 1 + random.Next(8); i++)
                    {
                        bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                    }

                    return (bytes, "bytes flipped");
                }

            case 3:
                {
                    var bytes = Encoding.UTF8.GetBytes(original.ToJsonString());
                    return (bytes[..random.Next(bytes.Length)], "truncated");
                }

            case 4:
                {
                    var text = original.ToJsonString();
                    var at = random.Next(text.Length);
                    var inserted = Pick(random, ["{", "}", "[", "]", ",", ":", "\"", "\\", "\\u", "\\ud800", "null", "1e999", "\u0000", "\uFFFF"]);
                    return (Encoding.UTF8.GetBytes(text.Insert(at, inserted)), "text inserted");
                }

            default:
                {
                    var bytes = new byte[random.Next(64)];
                    random.NextBytes(bytes);
                    return (bytes, "random bytes");
                }
        }
    }

    /// <summary>Replaces (or removes) one node anywhere in the tree.</summary>
    private static void ReplaceSomeNode(Random random, JsonObject root)
    {
        var slots = new List<(JsonNode Parent, object Key)>();
        Collect(root, slots);
        var (parent, key) = slots[random.Next(slots.Count)];
        var value = Pick(random, Values)(random);
        switch (parent, key)
        {
            case (JsonObject obj, string name) when random.Next(5) == 0:
                obj.Remove(name);
                break;
            case (JsonObject obj, string name):
                obj[name] = value;
                break;
            case (JsonArray array, int index):
                array[index] = value;
                break;
        }
    }

    private static void Collect(JsonNode node, List<(JsonNode Parent, object Key)> slots)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj)
                {
                    slots.Add((obj, name));
                    if (child is not null)
                    {
                        Collect(child, slots);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    slots.Add((array, i));
                    if (array[i] is { } child)
                    {
                        Collect(child, slots);
                    }
                }

                break;
        }
    }

    private static WebhookRequest GarbleHeaders(Random random, WebhookRequest request)
    {
        if (random.Next(3) != 0)
        {
            return request;
        }

        var name = Pick(random, request.Headers.Keys.ToArray());
        return random.Next(4) switch
        {
            0 => request.WithHeader(name, null),
            1 => request.WithHeader(name, RandomText(random)),
            2 => request.WithHeader("Content-Type", Pick(random, ["application/x-www-form-urlencoded", "text/plain", "", "application/x-www-form-urlencoded; charset=utf-8"])),
            _ => request.WithHeader(name, ""),
        };
    }

    private static string RandomText(Random random)
    {
        var chars = new char[random.Next(40)];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = (char)random.Next(0, 0x3000);
        }

        return new string(chars);
    }

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];
}
