using System.Globalization;
using System.Text;
using Cairn.Cli.Commands.Client;

namespace Cairn.Cli.Output;

/// <summary>What the server's answers look like to a person: runs, jobs, repositories and events as lines and tables.
/// Times are said as ages and durations against <c>now</c>; colour only when asked.</summary>
internal static class ServerViews
{
    /// <summary><c>run #N (id I) of owner/repo: status</c>: the line scripts and people both read.</summary>
    public static string Headline(RunView run) =>
        string.Create(CultureInfo.InvariantCulture, $"run #{run.Number} (id {run.Id}) of {run.Repo}: {run.Status}");

    public static bool IsFinished(string runStatus) => runStatus is "succeeded" or "failed" or "cancelled";

    public static string StatusColor(string status) => status switch
    {
        "succeeded" => "32",
        "failed" => "31",
        "cancelled" => "33",
        "running" => "36",
        "waiting" => "35",
        _ => "2",
    };

    public static string Paint(string text, string code, bool color) => color ? $"\u001b[{code}m{text}\u001b[0m" : text;

    public static string Runs(IReadOnlyList<RunView> runs, DateTimeOffset now, bool color)
    {
        var table = new TextTable("ID", "REPO", "#", "PIPELINE", "EVENT", "REF", "SHA", "STATUS", "AGE", "DURATION");
        foreach (var run in runs)
        {
            table.Add(
                StatusColor(run.Status),
                Number(run.Id),
                run.Repo,
                "#" + Number(run.Number),
                Or(run.Pipeline),
                Or(run.Event),
                ShortRef(run.Ref),
                ShortSha(run.Sha),
                run.Status + (run.CancelRequested && !IsFinished(run.Status) ? " (cancelling)" : ""),
                Age(run.CreatedAt, now),
                Took(run.StartedAt ?? run.CreatedAt, run.FinishedAt, now, run.StartedAt is not null || run.FinishedAt is not null));
        }

        return table.Render(color);
    }

    /// <summary>All of a run: its header, its errors, and a row per job with its steps beneath.</summary>
    public static string Run(RunView run, DateTimeOffset now, bool color)
    {
        var text = new StringBuilder();
        var verdict = run.FailureClass is { Length: > 0 } failure ? $" ({failure})" : "";
        text.AppendLine(Paint(Headline(run) + verdict, StatusColor(run.Status), color));
        Field(text, "pipeline", Or(run.Pipeline));
        Field(text, "event", $"{Or(run.Event)} of {ShortRef(run.Ref)} at {ShortSha(run.Sha)}");
        Field(text, "created", $"{Time(run.CreatedAt)}, {Age(run.CreatedAt, now)}");
        if (run.StartedAt is { } started)
        {
            Field(text, run.FinishedAt is null ? "running for" : "took", Took(started, run.FinishedAt, now, true));
        }

        if (run.RerunOf is { } original)
        {
            Field(text, "rerun of", "run id " + Number(original));
        }

        if (run.TraceId is { } traceId)
        {
            Field(text, "trace", traceId);
        }

        if (run is { PendingReason: { Length: > 0 } held, WaitingBehind: { } ahead })
        {
            Field(text, "waiting", held);
            Field(text, "", string.Create(CultureInfo.InvariantCulture, $"it starts when run id {ahead} and the older runs of its group have ended"));
        }
        else if (run.PendingReason is { Length: > 0 } pending)
        {
            Field(text, "waiting", pending);
            Field(text, "", string.Create(CultureInfo.InvariantCulture, $"cairn approve {run.Id} starts it; cairn reject {run.Id} ends it"));
        }

        if (run.CancelRequested)
        {
            Field(text, "cancel", IsFinished(run.Status) ? Or(run.CancelReason) : "requested" + (run.CancelReason is { Length: > 0 } why ? $": {why}" : ""));
        }

        if (run.Errors is { Count: > 0 } errors)
        {
            text.AppendLine("errors:");
            foreach (var error in errors)
            {
                text.Append("  ").AppendLine(error);
            }
        }

        var jobs = run.Jobs ?? [];
        if (jobs.Count == 0)
        {
            return text.Append("no jobs").ToString();
        }

        var table = new TextTable("JOB", "STATUS", "ATTEMPT", "DURATION", "EXIT", "CLASS", "DETAIL");
        foreach (var job in jobs)
        {
            table.Add(
                StatusColor(job.Status),
                job.Name,
                job.Status,
                Number(job.Attempt),
                job.StartedAt is { } s ? Took(s, job.FinishedAt, now, true) : "-",
                job.ExitCode is { } code ? Number(code) : "-",
                Or(job.FailureClass),
                Detail(job));
            foreach (var step in job.Steps ?? [])
            {
                table.Add(
                    "2",
                    $"  {Number(step.Index)}. {step.Name}",
                    step.Status,
                    "",
                    step.StartedAt is { } ss ? Took(ss, step.FinishedAt, now, true) : "-",
                    step.ExitCode is { } sc ? Number(sc) : "-",
                    "",
                    "");
            }

            // A retried job's earlier attempts, each with how it ended and on which worker; the row above is the newest.
            foreach (var attempt in job.Attempts is { Count: > 1 } attempts ? attempts.Skip(1) : [])
            {
                table.Add(
                    "2",
                    $"  attempt {Number(attempt.Attempt)}",
                    attempt.Status,
                    Number(attempt.Attempt),
                    attempt.StartedAt is { } at ? Took(at, attempt.FinishedAt, now, true) : "-",
                    attempt.ExitCode is { } ac ? Number(ac) : "-",
                    Or(attempt.FailureClass),
                    string.Join("; ", new[] { attempt.FailureDetail, attempt.Worker is { } w ? $"on {w}" : null }.OfType<string>()));
            }
        }

        return text.Append(table.Render(color)).Append(AgentLines.Of(run)).ToString();
    }

    // A job that is not running says why beside it; a retry's reason comes before the failure it retries.
    private static string Detail(JobView job) => (job.PendingReason?.Text, job.FailureDetail) switch
    {
        ({ Length: > 0 } why, { Length: > 0 } failure) => $"{why}; {failure}",
        ({ Length: > 0 } why, _) => why,
        (_, var failure) => failure ?? "",
    };

    /// <summary>One line under a list of runs for a run that waits for approval: why, and what to type.</summary>
    public static string Waiting(RunView run) => run.WaitingBehind is null
        ? string.Create(CultureInfo.InvariantCulture, $"run id {run.Id} is waiting: {run.PendingReason} (cairn approve {run.Id} / cairn reject {run.Id})")
        : string.Create(CultureInfo.InvariantCulture, $"run id {run.Id} is {run.PendingReason}");

    /// <summary>A job's new state while a run is followed: <c>build: succeeded in 2.31s</c>.</summary>
    public static string JobChange(JobView job, DateTimeOffset now)
    {
        var took = job.StartedAt is { } started ? " in " + Took(started, job.FinishedAt, now, true) : "";
        var attempt = job.Attempt > 1 ? $" (attempt {Number(job.Attempt)})" : "";
        return job.Status switch
        {
            "running" or "queued" => $"{job.Name}: {job.Status}{attempt}",
            "failed" => $"{job.Name}: failed{(job.FailureClass is { } c ? $" ({c})" : "")}{took}{(job.FailureDetail is { Length: > 0 } d ? ": " + d : "")}",
            "succeeded" or "cancelled" => $"{job.Name}: {job.Status}{took}",
            _ => $"{job.Name}: {job.Status}",
        };
    }

    /// <summary>The end of a followed run: its headline with how long it took, and its errors.</summary>
    public static string Verdict(RunView run, DateTimeOffset now)
    {
        var took = run.StartedAt is { } started ? " in " + Took(started, run.FinishedAt, now, true) : "";
        var text = new StringBuilder(Headline(run)).Append(took);
        foreach (var error in run.Errors ?? [])
        {
            text.Append("\n  ").Append(error);
        }

        return text.ToString();
    }

    public static string Repository(RepositoryView repository, string verb)
    {
        var text = new StringBuilder($"{verb} {repository.Name} ({repository.Forge})\n");
        Field(text, "clone URL", repository.CloneUrl, 16);
        Field(text, "API URL", Or(repository.ApiUrl), 16);
        Field(text, "default branch", Or(repository.DefaultBranch), 16);
        Field(text, "webhook secret", repository.HasWebhookSecret ? "set" : "not set", 16);
        Field(text, "status token", repository.HasStatusToken ? "set" : "not set", 16);
        Field(text, "fork PRs", ForkPolicy(repository.ForkPullRequests), 16);
        Field(text, "fork secrets", repository.AllowForkSecrets ? "pull requests from forks get secrets" : "pull requests from forks get no secrets", 16);
        Field(text, "visibility", repository.Public ? "public: anyone may read its runs and logs" : "private", 16);
        if (repository.MaxRunningJobs is { } limit)
        {
            Field(text, "running jobs", string.Create(CultureInfo.InvariantCulture, $"at most {limit} at once"), 16);
        }
        if (repository.WebhookUrl is { Length: > 0 } hook)
        {
            text.Append(CultureInfo.InvariantCulture, $"webhook URL to set at the forge: {hook}");
            if (repository.HasWebhookSecret)
            {
                text.Append(" (with the same secret)");
            }
        }

        return text.ToString().TrimEnd();
    }

    public static string Repositories(IReadOnlyList<RepositoryView> repositories, bool color)
    {
        var table = new TextTable("NAME", "FORGE", "BRANCH", "WEBHOOK SECRET", "STATUS TOKEN", "FORK PRS", "FORK SECRETS", "CLONE URL");
        foreach (var repository in repositories)
        {
            table.Add(
                null,
                repository.Name,
                repository.Forge,
                Or(repository.DefaultBranch),
                repository.HasWebhookSecret ? "set" : "-",
                repository.HasStatusToken ? "set" : "-",
                Or(repository.ForkPullRequests),
                repository.AllowForkSecrets ? "yes" : "no",
                repository.CloneUrl);
        }

        return table.Render(color);
    }

    public static string Events(IReadOnlyList<EventView> events, DateTimeOffset now, bool color)
    {
        var table = new TextTable("ID", "RECEIVED", "SOURCE", "EVENT", "REPOSITORY", "STATE", "RUN", "DETAIL");
        foreach (var entry in events)
        {
            table.Add(
                null,
                Number(entry.Id),
                Age(entry.ReceivedAt, now),
                entry.Source,
                entry.Event,
                entry.Repository,
                entry.State,
                entry.RunId is { } run ? Number(run) : "-",
                entry.Detail ?? "");
        }

        return table.Render(color);
    }

    private static string ForkPolicy(string? policy) => policy switch
    {
        "approve" => "approve: their runs wait for a maintainer (cairn approve RUN)",
        "run" => "run: their runs start at once",
        "ignore" => "ignore: they start no run",
        _ => Or(policy),
    };

    public static string ShortRef(string? gitRef) => gitRef switch
    {
        null or "" => "-",
        _ when gitRef.StartsWith("refs/heads/", StringComparison.Ordinal) => gitRef["refs/heads/".Length..],
        _ when gitRef.StartsWith("refs/", StringComparison.Ordinal) => gitRef["refs/".Length..],
        _ => gitRef,
    };

    public static string ShortSha(string? sha) => sha is { Length: > 0 } ? sha[..Math.Min(7, sha.Length)] : "-";

    /// <summary>How long ago: <c>12s ago</c>, <c>5m ago</c>, <c>3h ago</c>, <c>2d ago</c>.</summary>
    public static string Age(DateTimeOffset at, DateTimeOffset now)
    {
        var ago = now - at;
        var amount = ago.TotalSeconds switch
        {
            < 1 => "just now",
            < 60 => $"{(int)ago.TotalSeconds}s",
            < 3600 => $"{(int)ago.TotalMinutes}m",
            < 86400 => $"{(int)ago.TotalHours}h",
            _ => $"{(int)ago.TotalDays}d",
        };
        return amount == "just now" ? amount : amount + " ago";
    }

    private static string Took(DateTimeOffset start, DateTimeOffset? finish, DateTimeOffset now, bool started) =>
        started ? Durations.Short((finish ?? now) - start) : "-";

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static void Field(StringBuilder text, string name, string value, int width = 12) =>
        text.Append("  ").Append(name.PadRight(width)).AppendLine(value);

    private static string Or(string? value) => value is { Length: > 0 } ? value : "-";

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
