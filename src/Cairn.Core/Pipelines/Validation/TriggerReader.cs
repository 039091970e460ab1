using Cairn.Core.Pipelines.Grammar;

namespace Cairn.Core.Pipelines.Validation;

/// <summary>Reads <c>on:</c> in its three forms: an event name, a list of event names, or a mapping of event to filters.</summary>
internal sealed class TriggerReader(ValueReader reader)
{
    private static readonly SyntaxKey On = PipelineSyntax.On;

    private Diagnostics Diagnostics => reader.Diagnostics;

    /// <summary>When <c>on:</c> is absent: every push and pull request, and by hand, with no filters.</summary>
    public static TriggerRules Default { get; } = new(
        new PushTrigger([], [], []), new PullRequestTrigger([], []), [], new ManualTrigger(new Dictionary<string, ManualInput>()));

    public TriggerRules Read(YamlNode? node) => node switch
    {
        null => Default,
        YamlScalar { IsNull: true } => Default,
        YamlScalar scalar => FromNames([scalar]),
        YamlSequence sequence => FromNames(reader.TextList(sequence, "'on' must list event names: push, pull_request, manual") ?? []),
        YamlMapping mapping => FromMapping(mapping),
        _ => Default,
    };

    private TriggerRules FromNames(IReadOnlyList<YamlScalar> names)
    {
        PushTrigger? push = null;
        PullRequestTrigger? pullRequest = null;
        ManualTrigger? manual = null;
        PlaneTrigger? plane = null;
        ReviewTrigger? review = null;
        foreach (var name in names)
        {
            switch (name.Value)
            {
                case "push":
                    push = new PushTrigger([], [], []);
                    break;
                case "pull_request":
                    pullRequest = new PullRequestTrigger([], []);
                    break;
                case "manual":
                    manual = new ManualTrigger(new Dictionary<string, ManualInput>());
                    break;
                case "plane":
                    plane = new PlaneTrigger([DefaultPlaneEvent], []);
                    break;
                case "pull_request_review":
                    review = new ReviewTrigger([], []);
                    break;
                case "schedule":
                    Diagnostics.Error(name, "'schedule' needs cron entries: on: { schedule: [{ cron: \"0 3 * * *\" }] }");
                    break;
                default:
                    Diagnostics.Error(name, $"unknown event '{name.Value}' in 'on'{ValueReader.DidYouMean(name.Value, PipelineSyntax.Events, listAll: true)}");
                    break;
            }
        }

        return new TriggerRules(push, pullRequest, [], manual) { Plane = plane, PullRequestReview = review };
    }

    private TriggerRules FromMapping(YamlMapping mapping)
    {
        var keys = reader.Keys(mapping, On, "in 'on'");
        var push = keys.TryGetValue("push", out var p) ? ReadPush(p.Value) : null;
        var pullRequest = keys.TryGetValue("pull_request", out var pr) ? ReadPullRequest(pr.Value) : null;
        var schedule = keys.TryGetValue("schedule", out var s) ? ReadSchedule(s.Value) : [];
        var manual = keys.TryGetValue("manual", out var m) ? ReadManual(m.Value) : null;
        return new TriggerRules(push, pullRequest, schedule, manual)
        {
            Plane = keys.TryGetValue("plane", out var pl) ? ReadPlane(pl.Value) : null,
            PullRequestReview = keys.TryGetValue("pull_request_review", out var rv) ? ReadReview(rv.Value) : null,
        };
    }

    private const string DefaultPlaneEvent = "workitem.created";

    private PlaneTrigger ReadPlane(YamlNode node)
    {
        var keys = Filters(node, "plane");
        var events = keys.TryGetValue("events", out var e) ? Values(e.Value, "plane.events", PipelineSyntax.PlaneEvents) : null;
        var labels = keys.TryGetValue("labels", out var l)
            ? reader.TextList(l.Value, "'labels' in 'plane' must be a label name or a list of them")?.Select(s => s.Value).Distinct(StringComparer.OrdinalIgnoreCase).ToList()
            : null;
        return new PlaneTrigger(events is null or { Count: 0 } ? [DefaultPlaneEvent] : events, labels ?? []);
    }

    private ReviewTrigger ReadReview(YamlNode node)
    {
        var keys = Filters(node, "pull_request_review");
        var states = keys.TryGetValue("states", out var s) ? Values(s.Value, "pull_request_review.states", PipelineSyntax.ReviewStates) : null;
        return new ReviewTrigger(states ?? [], Globs(keys, "branches", "pull_request_review"));
    }

    private List<string>? Values(YamlNode node, string key, IReadOnlyList<string> allowed)
    {
        var names = reader.TextList(node, $"'{key}' must be a list of: {string.Join(", ", allowed)}");
        if (names is null)
        {
            return null;
        }

        var values = new List<string>();
        foreach (var name in names)
        {
            if (!allowed.Contains(name.Value))
            {
                Diagnostics.Error(name, $"unknown value '{name.Value}' in '{key}'{ValueReader.DidYouMean(name.Value, allowed, listAll: true)}");
            }
            else if (!values.Contains(name.Value))
            {
                values.Add(name.Value);
            }
        }

        return values;
    }

    private PushTrigger ReadPush(YamlNode node)
    {
        var keys = Filters(node, "push");
        return new PushTrigger(Globs(keys, "branches", "push"), Globs(keys, "tags", "push"), Globs(keys, "paths", "push"));
    }

    private PullRequestTrigger ReadPullRequest(YamlNode node)
    {
        var keys = Filters(node, "pull_request");
        return new PullRequestTrigger(Globs(keys, "branches", "pull_request"), Globs(keys, "paths", "pull_request"));
    }

    private Dictionary<string, YamlEntry> Filters(YamlNode node, string trigger)
    {
        if (node is YamlScalar { IsNull: true })
        {
            return [];
        }

        var mapping = reader.Mapping(node, $"'{trigger}' must be a mapping of filters like {{ branches: [main] }}, or empty");
        return mapping is null ? [] : reader.Keys(mapping, On.Child(trigger), $"in '{trigger}'");
    }

    private List<string> Globs(Dictionary<string, YamlEntry> keys, string key, string trigger)
    {
        if (!keys.TryGetValue(key, out var entry))
        {
            return [];
        }

        var globs = reader.TextList(entry.Value, $"'{key}' in '{trigger}' must be a glob or a list of globs");
        if (globs is null)
        {
            return [];
        }

        foreach (var glob in globs)
        {
            if (Glob.Problem(glob.Value) is { } problem)
            {
                Diagnostics.Error(glob, $"{problem} (in '{trigger}.{key}')");
            }
        }

        var values = globs.Select(g => g.Value).ToList();
        if (Glob.ListProblem(values) is { } listProblem)
        {
            Diagnostics.Error(entry.Value, $"'{trigger}.{key}' {listProblem}");
        }

        return values;
    }

    private List<ScheduleTrigger> ReadSchedule(YamlNode node)
    {
        var schedules = new List<ScheduleTrigger>();
        if (node is not YamlSequence sequence)
        {
            Diagnostics.Error(node, "'schedule' must be a list like [{ cron: \"0 3 * * 1-5\" }]");
            return schedules;
        }

        foreach (var item in sequence.Items)
        {
            if (reader.Mapping(item, "each 'schedule' entry must be a mapping like { cron: \"0 3 * * 1-5\" }") is not { } mapping)
            {
                continue;
            }

            var keys = reader.Keys(mapping, On.Child("schedule"), "in a 'schedule' entry");
            if (!keys.TryGetValue("cron", out var cron))
            {
                Diagnostics.Error(mapping, "a 'schedule' entry needs 'cron', like { cron: \"0 3 * * 1-5\" }");
                continue;
            }

            var text = reader.Text(cron.Value, "'cron' must be a string like \"0 3 * * 1-5\"");
            if (text is null)
            {
                continue;
            }

            var zone = TimeZoneInfo.Utc;
            if (keys.TryGetValue("timezone", out var zoneEntry))
            {
                var zoneText = reader.Text(zoneEntry.Value, "'timezone' must be a string like \"Europe/Berlin\"");
                if (zoneText is null)
                {
                    continue;
                }

                if (!CronSchedule.TryFindZone(zoneText, out var named))
                {
                    Diagnostics.Error(zoneEntry.Value, $"unknown time zone '{zoneText}'; name an IANA zone like \"Europe/Berlin\" or \"UTC\"");
                    continue;
                }

                zone = named!;
            }

            if (CronSchedule.TryParse(text, zone, out var expression, out var error) && expression is not null)
            {
                schedules.Add(new ScheduleTrigger(text, expression, Diagnostics.At(cron.Value)));
            }
            else
            {
                Diagnostics.Error(cron.Value, $"bad cron '{text}': {error}");
            }
        }

        return schedules;
    }

    private ManualTrigger ReadManual(YamlNode node)
    {
        var inputs = new Dictionary<string, ManualInput>(StringComparer.Ordinal);
        if (Filters(node, "manual").TryGetValue("inputs", out var entry) && entry.Value is not YamlScalar { IsNull: true })
        {
            if (reader.Mapping(entry.Value, "'inputs' must be a mapping of input names to their settings") is { } mapping)
            {
                foreach (var input in reader.Distinct(mapping, (key, first) => $"input '{key.Value}' is declared twice (first at {first.Line}:{first.Column})"))
                {
                    reader.JobLikeName(input.Key, "input");
                    inputs[input.Key.Value] = ReadInput(input.Key.Value, input.Value);
                }
            }
        }

        return new ManualTrigger(inputs);
    }

    private ManualInput ReadInput(string name, YamlNode node)
    {
        if (node is YamlScalar scalar)
        {
            return new ManualInput(scalar.IsNull ? null : scalar.Value, false, null);
        }

        if (reader.Mapping(node, $"input '{name}' must be a default value or a mapping of default, required and description") is not { } mapping)
        {
            return new ManualInput(null, false, null);
        }

        var keys = reader.Keys(mapping, PipelineSyntax.Inputs, $"in input '{name}'");
        var defaultValue = keys.TryGetValue("default", out var d) ? reader.Text(d.Value, "'default' must be a string, number or boolean") : null;
        var required = keys.TryGetValue("required", out var r) && reader.Boolean(r.Value, "required") == true;
        var description = keys.TryGetValue("description", out var desc) ? reader.Text(desc.Value, "'description' must be a string") : null;
        return new ManualInput(defaultValue, required, description);
    }
}
