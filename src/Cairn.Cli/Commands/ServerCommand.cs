using System.CommandLine;
using System.Text.Json;
using Cairn.Core.Runners;
using Cairn.Core.Runs;
using Cairn.Executors.Shell;
using Cairn.Forges;
using Cairn.Server.Services;
using Cairn.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn server</c>: webhooks in, runs out, statuses back; the HTTP API the other commands talk to.</summary>
internal static class ServerCommand
{
    public static Command Create(CancellationToken stopping, CancellationToken kill)
    {
        var options = ServerSettings.Names.Where(n => n.Key != PassEnvKey).ToDictionary(
            n => n.Key,
            n => new Option<string?>(n.Option) { Description = Describe(n.Key) + $" (or {n.Variable})" });
        var passEnv = new Option<string[]>("--pass-env")
        {
            Description = Describe(PassEnvKey) + " (repeatable; or CAIRN_PASS_ENV, comma-separated)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var newToken = new Option<bool>("--new-admin-token") { Description = "Make a new admin token (the old one stops working) and write it to DATA/admin.token" };
        var command = new Command("server", "Serve the API and webhooks, plan and run pipelines, report commit statuses (until SIGINT/SIGTERM)");
        foreach (var option in options.Values)
        {
            command.Options.Add(option);
        }

        command.Options.Add(passEnv);
        command.Options.Add(newToken);
        command.SetAction(async (parse, _) =>
        {
            var given = options.ToDictionary(o => o.Key, o => parse.GetValue(o.Value));
            given[PassEnvKey] = parse.GetValue(passEnv) is { Length: > 0 } names ? string.Join(',', names) : null;
            return await RunAsync(given, parse.GetValue(newToken), stopping, kill);
        });
        return command;
    }

    private const string PassEnvKey = "PassEnv";

    private static string Describe(string key) => key switch
    {
        "Data" => "The data directory: SQLite store, git mirrors, admin token, master key (default ./cairn-data); only this server's user may read it",
        "Workspaces" => "Where job workspaces and their HOMEs are made, outside the data directory (default: DATA-workspaces beside it)",
        "StepPath" => "The PATH steps get (default /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)",
        PassEnvKey => "A variable of this server's environment that every step gets",
        "JobUser" => "The user shell steps run as when the server runs as root (default: cairn-job if it exists, else nobody)",
        "Urls" => "Where to listen (default http://127.0.0.1:8080; several separated by ;)",
        "PublicUrl" => "The address people and forges reach this server at: the base of status links (default: the first of --urls)",
        "Store" => "sqlite (default, DATA/cairn.db) or postgres",
        "Connection" => "The SQLite file, or a PostgreSQL connection string",
        "Runners" => "A runner file: the aliases jobs name with runner: (or a Runners section in appsettings.json)",
        "Kubeconfig" => "The kubeconfig of the cluster that jobs on executor: kubernetes runners run in (default: KUBECONFIG, else the pod's service account, else ~/.kube/config)",
        "Concurrency" => "How many jobs this server runs at once (0: none, workers elsewhere run them; default: the number of cores)",
        "Labels" => "Labels this server's workers offer, comma-separated",
        "Grace" => "On SIGINT or SIGTERM, how long running jobs may go on before they are stopped (default 30s)",
        "Lease" => "How long a job's lease lasts without a heartbeat (default 30s)",
        "Heartbeat" => "How often a running job's lease is extended (default 10s)",
        "Retention" => "How long an ended run is kept, with its jobs and logs (default 30d; off keeps every run)",
        "StreamKeepAlive" => "How long a live log or event stream may be idle before a keep-alive comment is sent (default 15s)",
        "MaxPipelineSize" => "The largest .cairn.yml read from a repository, like 1MiB or 512KiB; a larger one fails its run unread (default 1MiB)",
        "WebhookMaxBody" => "The largest webhook body accepted: 4MiB (default), 512KiB, or a number of bytes; at most 25MiB",
        "WebhookConcurrency" => "How many webhook bodies are read and verified at once; one more waits a few seconds, then gets 503 (default 8)",
        "Auth:DefaultRole" => "The global role of a user made on first sign-in or added without one: none, viewer (default), developer, maintainer or admin",
        "Auth:SessionIdle" => "How long a dashboard session lasts without a request (default 12h)",
        "Auth:SessionLifetime" => "How long a dashboard session lasts at most (default 7d)",
        "Auth:GroupRoles" => "Global roles for identity-provider groups, like ci-admins=admin,devs=developer",
        "OidcAuthority" => "Sign people in through this OpenID provider (its issuer, https://…)",
        "OidcClientId" => "The client id Cairn is registered under at the OpenID provider",
        "OidcClientSecretFile" => "A file holding that client's secret",
        "OidcAllowedGroups" => "Only members of these groups (comma-separated) may sign in through the OpenID provider (default: anyone it knows)",
        "OidcScopes" => "The scopes asked for (default: openid profile email groups)",
        "OidcGroupsClaim" => "The claim that lists a person's groups (default: groups)",
        "OidcName" => "What the sign-in button calls the OpenID provider (default: its host)",
        "GitHubClientId" => "Sign people in with GitHub: the OAuth app's client id (its callback is PUBLIC-URL/signin/github)",
        "GitHubClientSecretFile" => "A file holding the GitHub OAuth app's client secret",
        "GitHubUrl" => "GitHub's address, for GitHub Enterprise (default https://github.com)",
        "GitHubApiUrl" => "GitHub's REST API (default https://api.github.com, or GITHUB-URL/api/v3 for GitHub Enterprise)",
        "GitHubAllowedOrgs" => "Only members of these GitHub organisations (comma-separated) may sign in (default: anyone)",
        "ArtifactStore" => "Where artifacts and caches are kept: empty for the data directory (default), or s3://BUCKET/PREFIX",
        "S3Endpoint" => "The S3-compatible service's address, for MinIO, Ceph, R2 and the like (default: AWS)",
        "S3Region" => "The S3 region (default: the client's own, or us-east-1)",
        "S3AccessKeyId" => "The S3 access key id (or AWS_ACCESS_KEY_ID)",
        "S3SecretAccessKeyFile" => "A file holding the S3 secret access key (or AWS_SECRET_ACCESS_KEY); never the key itself",
        "S3PathStyle" => "true: address buckets as ENDPOINT/BUCKET rather than BUCKET.ENDPOINT (MinIO and most self-hosted stores)",
        "ArtifactExpiry" => "How long artifacts are kept when a job says nothing (default 30d)",
        "ArtifactMaxJobSize" => "The most one job attempt may keep as artifacts (default 4GiB)",
        "ArtifactMaxRepositorySize" => "The most a repository's unexpired artifacts may add up to (default 50GiB)",
        "CacheMaxRepositorySize" => "The most a repository's caches may add up to before the least recently used go (default 10GiB)",
        "Telemetry:LogFormat" => "The server's own logs: text (default) or json, one object a line with run_id, job_id and trace_id where they apply",
        "Telemetry:TraceUrlTemplate" => "Where a run's trace is shown, with {trace_id} in it, like https://grafana.example.com/explore?traceId={trace_id}: the run page links it",
        _ => key,
    };

    private static async Task<int> RunAsync(Dictionary<string, string?> given, bool newToken, CancellationToken stopping, CancellationToken kill)
    {
        var environment = ServerSettings.Names.Select(n => n.Variable).Concat(ArtifactStoreSettings.Ambient.Select(n => n.Variable))
            .ToDictionary(v => v, Environment.GetEnvironmentVariable);
        var jsonFile = Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json");
        var configuration = ServerSettings.Compose(jsonFile, environment, given);
        var (settings, errors) = ServerSettings.Bind(configuration, Directory.GetCurrentDirectory());
        if (settings is null)
        {
            foreach (var error in errors)
            {
                await Console.Error.WriteLineAsync($"error: {error}");
            }

            return ExitCodes.Usage;
        }

        var catalog = await LoadRunnersAsync(settings.RunnersFile, jsonFile);
        if (catalog is null)
        {
            return ExitCodes.Usage;
        }

        var warnings = ProcessHardening.Apply(given.GetValueOrDefault("Connection"));
        settings = settings with { MasterKeyText = warnings.MasterKey };
        var isolation = StepIsolation.Host(settings.StepPath, settings.PassEnv, settings.JobUser, settings.WorkspacesDirectory, settings.JobNice);
        var time = TimeProvider.System;
        // A server that runs no jobs (--concurrency 0) needs no cluster: its workers reach it.
        var kubernetes = new KubernetesSetup(settings.Concurrency > 0 ? catalog : RunnerCatalog.BuiltIn, settings.KubeconfigFile, KubernetesSetup.ServerOwner);
        using var executors = await LocalExecutors.ConnectAsync(isolation, kubernetes, time, CancellationToken.None);
        using var forges = ForgeCatalog.Create(time);
        var runtime = new ServerRuntime(executors.WithAgents(
            catalog, ExecutorMode.Auto, Path.Combine(settings.DataDirectory, "agents"), time, strict: true,
            workRoot: Path.Combine(settings.WorkspacesDirectory, "agents")), executors.KillAllNow, new ForgeDirectory(forges))
        {
            Time = time,
            Runners = catalog,
        };

        WebApplication app;
        IReadOnlyList<string> notes;
        try
        {
            (app, notes) = await CairnServer.BuildAsync(settings, runtime, newToken, stopping);
        }
        catch (ServerStartException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}");
            return ExitCodes.Failed;
        }

        await using (app)
        {
            var say = new ServerAnnouncer(settings.Telemetry.JsonLogs
                ? app.Services.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>().CreateLogger("Cairn.Server")
                : null);
            foreach (var note in notes)
            {
                await say.SayAsync(note);
            }

            foreach (var warning in warnings.Lines)
            {
                await Console.Error.WriteLineAsync($"cairn server: {warning}");
            }

            var (steps, isWarning) = isolation.Describe();
            await (isWarning ? Console.Error.WriteLineAsync($"cairn server: {steps}") : say.SayAsync(steps));
            if (UnixAccount.ProcessIsRoot && Workspaces.Unreachable(settings.WorkspacesDirectory) is { } closed)
            {
                await Console.Error.WriteLineAsync(
                    $"cairn server: warning: {closed} lets no other user through, so steps running as another user cannot reach their workspaces in {settings.WorkspacesDirectory}: choose --workspaces elsewhere");
            }

            if (executors.KubernetesWarning(kubernetes) is { } noCluster)
            {
                await Console.Error.WriteLineAsync($"cairn server: {noCluster}");
            }

            await say.SayAsync($"{executors.Describe()}; listening on {string.Join(", ", settings.Urls)}");
            await using var onKill = kill.Register(executors.KillAllNow);
            try
            {
                await app.StartAsync(CancellationToken.None);
            }
            catch (IOException ex)
            {
                await Console.Error.WriteLineAsync($"error: cannot listen on {string.Join(", ", settings.Urls)}: {ex.Message}");
                return ExitCodes.Failed;
            }

            // What pods and Secrets of this server's leases that no longer live were left behind goes, now and then.
            var janitor = executors.Kubernetes is { } cluster
                ? kubernetes.RunJanitorAsync(cluster, app.Services.GetRequiredService<ILeaseLiveness>(), "cairn server", Console.Out, Console.Error, stopping)
                : Task.CompletedTask;
            try
            {
                await Task.Delay(Timeout.Infinite, stopping);
            }
            catch (OperationCanceledException)
            {
            }

            await janitor;

            await say.SayAsync("stopping (again to stop running jobs now)");
            await app.StopAsync(CancellationToken.None);
            await say.SayAsync("stopped");
        }

        return ExitCodes.Succeeded;
    }

    /// <summary>The runner file when given, else a <c>Runners</c> section of appsettings.json (JSON is YAML too), else
    /// the built-in rule. Null when what was given is bad, after saying why.</summary>
    private static async Task<RunnerCatalog?> LoadRunnersAsync(string? runnersFile, string jsonFile)
    {
        if (runnersFile is not null || !File.Exists(jsonFile))
        {
            return await RunnerFile.LoadAsync(runnersFile, Console.Error);
        }

        string? section = null;
        try
        {
            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(jsonFile), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("Runners", out var runners))
            {
                section = runners.GetRawText();
            }
        }
        catch (JsonException ex)
        {
            await Console.Error.WriteLineAsync($"error: {jsonFile} is not valid JSON: {ex.Message}");
            return null;
        }

        if (section is null)
        {
            return RunnerCatalog.BuiltIn;
        }

        var loaded = RunnerCatalogLoader.Load(section, $"{jsonFile} (Runners)");
        foreach (var error in loaded.Errors)
        {
            await Console.Error.WriteLineAsync(error.ToString());
        }

        return loaded.IsValid ? loaded.Catalog : null;
    }
}
