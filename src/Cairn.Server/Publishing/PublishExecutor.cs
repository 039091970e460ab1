using Cairn.Core.Agents;
using Cairn.Core.Execution;
using Cairn.Core.Forges;
using Cairn.Core.Logs;
using Cairn.Core.Pipelines;
using Cairn.Core.Publishing;
using Cairn.Core.Repositories;
using Cairn.Core.Runs;
using Cairn.Core.Trackers;
using Cairn.Executors.Agent;
using Cairn.Git;
using Cairn.Server.Hosting;
using Cairn.Server.Services;
using Microsoft.Extensions.Logging;
using System.Globalization;

namespace Cairn.Server.Publishing;

/// <summary>The <c>publish</c> executor: takes an agent job's branch (<c>cairn/RUN-JOB</c>) from the repository's mirror,
/// refuses it when it touches a protected path, pushes it with the repository's token, and opens (or finds and updates)
/// a draft pull request of it. Cairn only asks: nothing here ever merges.</summary>
internal sealed partial class PublishExecutor(PublishServices services) : IExecutor
{
    /// <summary>What a stored definition without protected paths protects: the pipelines of Cairn and of other CI systems.</summary>
    private static readonly string[] FallbackProtectedPaths =
        [".cairn.yml", ".cairn/**", ".github/**", ".gitlab-ci.yml", ".gitea/**", ".forgejo/**", "bitbucket-pipelines.yml", "Jenkinsfile", ".circleci/**"];

    public string Name => "publish";

    public async Task<JobOutcome> RunAsync(JobSpec job, IJobReporter reporter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(reporter);
        var step = job.Steps.Count > 0 ? job.Steps[0] : new StepSpec(0, "publish", "", new Dictionary<string, string>(), null, null);
        var started = services.Time.GetUtcNow();
        reporter.StepStarted(step, started);
        var (status, failure, detail) = await PublishAsync(job, line => reporter.Log(new LogLine(step.Index, LogStream.Stdout, services.Time.GetUtcNow(), line)), cancellationToken);
        if (detail is not null && failure is not null)
        {
            reporter.Log(new LogLine(step.Index, LogStream.Stderr, services.Time.GetUtcNow(), detail));
        }

        reporter.StepFinished(step, new StepOutcome(status == JobStatus.Succeeded ? StepStatus.Succeeded : StepStatus.Failed, null, failure, started, services.Time.GetUtcNow(), detail));
        return new JobOutcome(status, status == JobStatus.Succeeded ? 0 : null, failure, detail, []);
    }

    private async Task<(JobStatus Status, FailureClass? Failure, string? Detail)> PublishAsync(
        JobSpec job, Action<string> log, CancellationToken cancellationToken)
    {
        if (job.Publish is not { } publish)
        {
            return Failed(FailureClass.Config, "the job has nothing to publish: it has no publish: settings");
        }

        var run = await services.Runs.GetRunAsync(job.RunId, cancellationToken);
        var repository = run?.Repository is { } name ? await services.Repositories.GetRepositoryAsync(name, cancellationToken) : null;
        if (run is null || repository is null || run.Sha is null)
        {
            return Failed(FailureClass.Config, "a publish job needs a run of a repository this server knows, with a commit");
        }

        var branch = AgentBranches.For(job.RunId, publish.From);
        string? tip;
        IReadOnlyList<string>? changed;
        try
        {
            if (services.AgentRoot is { } agents)
            {
                // The agent job kept its branch in the agent executor's own repository of this repository.
                await services.Git.ImportAsync(repository.Name, AgentRepositories.PathOf(agents, repository.Name), branch, cancellationToken);
            }

            tip = await services.Git.TipAsync(repository.Name, branch, cancellationToken);
            if (tip is null)
            {
                return Failed(FailureClass.Config, $"nothing to publish: the branch {branch} does not exist");
            }

            changed = await services.Git.ChangedPathsAsync(repository.Name, run.Sha, tip, cancellationToken);
        }
        catch (GitException ex)
        {
            return Failed(FailureClass.Infra, ex.Message);
        }

        if (changed is null)
        {
            // Without the paths, the protected ones cannot be checked: nothing is pushed.
            return Failed(FailureClass.Infra, $"cannot tell what the branch {branch} changes: the mirror of {repository.Name} does not hold the run's commit {run.Sha[..Math.Min(7, run.Sha.Length)]}");
        }

        if (changed.Count == 0 || tip.Equals(run.Sha, StringComparison.OrdinalIgnoreCase))
        {
            return Failed(FailureClass.Config, $"nothing to publish: the branch {branch} has no changes since {run.Sha[..Math.Min(7, run.Sha.Length)]}");
        }

        var touched = changed.Where(Glob.Compile(publish.ProtectedPaths ?? FallbackProtectedPaths)).ToList();
        if (touched.Count > 0)
        {
            return Failed(FailureClass.AgentPolicy, $"the branch {branch} changes protected paths, so it is not published: {string.Join(", ", touched.Take(10))}{(touched.Count > 10 ? $" and {touched.Count - 10} more" : "")}");
        }

        var token = services.Secrets.ForgeToken(repository);
        log($"pushing {branch} ({tip[..7]}) to {repository.Name}");
        try
        {
            await services.Git.PushAsync(repository.Name, repository.CloneUrl, token, branch, cancellationToken);
        }
        catch (GitException ex)
        {
            return Failed(FailureClass.Infra, ex.Message);
        }

        var masker = new SecretMasker(job.SecretNames.Where(job.Env.ContainsKey).Select(n => new KeyValuePair<string, string>(n, job.Env[n])), token is null ? [] : [token]);
        var agent = await AgentOfAsync(job.RunId, branch, cancellationToken);
        var request = new PullRequestRequest(
            Head: branch,
            Base: publish.Base ?? BranchOf(run.Ref) ?? "main",
            Title: Title(publish.Title, agent?.Report.Result, publish.From, job.RunId, masker),
            Body: Body(run, agent, masker),
            Draft: publish.Draft);
        PullRequestResult result;
        try
        {
            result = await services.Forges.PullRequests(repository.Forge).OpenOrUpdateAsync(
                new PullRequestTarget(repository.Name, repository.ApiUrl, token), request, cancellationToken);
        }
        catch (NotSupportedException ex)
        {
            return Failed(FailureClass.Config, ex.Message);
        }

        switch (result)
        {
            case PullRequestResult.Opened opened:
                var record = new PullRequestRecord(
                    job.RunId, job.JobId, repository.Name, branch, opened.Number, opened.Url, tip, request.Draft, null, null, services.Time.GetUtcNow());
                await services.PullRequests.RecordPullRequestAsync(record, cancellationToken);
                log($"{(opened.Created ? "opened" : "updated")} {(request.Draft ? "draft " : "")}pull request #{opened.Number}: {opened.Url}");
                LogOpened(services.Log, repository.Name, opened.Number, opened.Url);
                await services.Notifier.PullRequestOpenedAsync(run, record, cancellationToken);
                return (JobStatus.Succeeded, null, null);
            case PullRequestResult.Retry retry:
                return Failed(FailureClass.Infra, $"the pull request could not be opened: {masker.Mask(retry.Reason)}");
            case PullRequestResult.Rejected rejected:
                return Failed(FailureClass.Config, $"the pull request could not be opened: {masker.Mask(rejected.Reason)}");
            default:
                return Failed(FailureClass.Infra, "the pull request could not be opened");
        }
    }

    private async Task<AgentSessionRecord?> AgentOfAsync(long runId, string branch, CancellationToken cancellationToken)
    {
        if (services.Agents is not { } agents)
        {
            return null;
        }

        try
        {
            var sessions = await agents.GetAgentSessionsAsync(runId, cancellationToken);
            return sessions.Where(s => s.Report.Branch == branch).OrderBy(s => s.Attempt).LastOrDefault();
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>The title as written; else the first line of what the agent said; else <c>JOB: changes by agent (run R)</c>.</summary>
    internal static string Title(string? written, string? result, string from, long runId, SecretMasker masker)
    {
        if (!string.IsNullOrWhiteSpace(written))
        {
            return Clip(masker.Mask(written.Trim()), 200);
        }

        var first = result?.Split('\n').Select(l => l.Trim().TrimStart('#', ' ').Trim()).FirstOrDefault(l => l.Length > 0);
        return first is not null
            ? Clip(masker.Mask(first), 200)
            : string.Create(CultureInfo.InvariantCulture, $"{from}: changes by agent (run {runId})");
    }

    private string Body(RunRecord run, AgentSessionRecord? agent, SecretMasker masker)
    {
        var link = new Uri(services.PublicUrl, $"runs/{run.Id}").ToString();
        var lines = new List<string> { $"Run: {link}", "" };
        if (agent?.Report.Result is { Length: > 0 } result)
        {
            lines.Add(Clip(masker.Mask(result.Trim()), 20_000));
            lines.Add("");
        }

        if (agent is not null && AgentReport.Describe(agent.Report.Usage, null) is { Length: > 0 } usage)
        {
            lines.Add($"Agent: {agent.Report.Cli.ToString().ToLowerInvariant()} · {usage}");
            lines.Add("");
        }

        lines.Add("Opened by Cairn. Cairn never merges.");
        return string.Join('\n', lines);
    }

    private static string? BranchOf(string? gitRef) =>
        gitRef is null ? null : gitRef.StartsWith("refs/heads/", StringComparison.Ordinal) ? gitRef["refs/heads/".Length..] : gitRef.StartsWith("refs/", StringComparison.Ordinal) ? null : gitRef;

    private static string Clip(string text, int length) => text.Length <= length ? text : string.Concat(text.AsSpan(0, length - 1), "…");

    private static (JobStatus, FailureClass?, string?) Failed(FailureClass failure, string detail) => (JobStatus.Failed, failure, detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "publish: {Repository}: opened or updated pull request #{Number}: {Url}")]
    private static partial void LogOpened(ILogger logger, string repository, int number, string url);
}

/// <summary>What the publish executor composes: the run and repository records, the repository's token, its mirror,
/// the forges' pull request APIs, the pull request records, the agent records (when this server keeps them) and the
/// work items to tell.</summary>
internal sealed record PublishServices(
    IRunStore Runs,
    IRepositoryStore Repositories,
    RepositorySecrets Secrets,
    GitBranchPush Git,
    IForgeDirectory Forges,
    IPullRequestStore PullRequests,
    IAgentSessionStore? Agents,
    IWorkItemNotifier Notifier,
    Uri PublicUrl,
    TimeProvider Time,
    ILogger Log)
{
    /// <summary>Where the server's agent executor keeps its repositories (<c>DATA/agents</c>), whose agent branches a
    /// publish job brings into the mirror first; null when this server runs no agent jobs.</summary>
    public string? AgentRoot { get; init; }
}
