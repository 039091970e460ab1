using System.Globalization;
using Cairn.Core.Pipelines;
using Microsoft.Extensions.Configuration;

namespace Cairn.Server.Hosting;

/// <summary>Everything <c>cairn server</c> is told, validated. Values come, most important first, from the command
/// line, <c>CAIRN_*</c> environment variables, and the <c>Cairn</c> section of <c>appsettings.json</c>.</summary>
public sealed partial record ServerSettings
{
    public const string Section = "Cairn";

    public required string DataDirectory { get; init; }

    /// <summary>Where job workspaces and their HOMEs are made: outside the data directory, so that no path from a
    /// workspace leads to a key. Default: a sibling of the data directory, <c>DATA-workspaces</c>.</summary>
    public string WorkspacesDirectory { get; init; } = "";

    /// <summary>The PATH of every step's clean environment.</summary>
    public string StepPath { get; init; } = Core.Execution.StepEnvironmentPolicy.DefaultPath;

    /// <summary>Variables of this process's environment that every step gets, by name.</summary>
    public IReadOnlyList<string> PassEnv { get; init; } = [];

    /// <summary>The user shell steps run as when the server runs as root and a job's runner names none; null: the
    /// dedicated <c>cairn-job</c> user if it exists, else <c>nobody</c>.</summary>
    public string? JobUser { get; init; }

    /// <summary>How many steps of nice value above the server's its jobs' processes get (0–19; 0: the same priority), so
    /// that jobs keeping every core busy cannot starve the server of the CPU it answers and plans with.</summary>
    public int JobNice { get; init; } = DefaultJobNice;

    /// <summary>The default of <see cref="JobNice"/>.</summary>
    public const int DefaultJobNice = 10;

    /// <summary>The master key as <c>CAIRN_MASTER_KEY</c> gave it, read once at start (the variable is then removed
    /// from the process's environment so that nothing it starts inherits it); null: the key file.</summary>
    public string? MasterKeyText { get; init; }

    public required IReadOnlyList<string> Urls { get; init; }

    /// <summary>Where people reach the server: the base of every status's link.</summary>
    public required Uri PublicUrl { get; init; }

    public required string Store { get; init; }

    public required string Connection { get; init; }

    public string? RunnersFile { get; init; }

    /// <summary>The kubeconfig the kubernetes executor reads (<c>--kubeconfig</c>); null: <c>KUBECONFIG</c>, the pod's
    /// service account, or <c>~/.kube/config</c>.</summary>
    public string? KubeconfigFile { get; init; }

    /// <summary>A file holding the admin token the operator chose (<c>--admin-token-file</c>, e.g. a mounted Secret); null:
    /// the server makes one and writes it to <c>DATA/admin.token</c>.</summary>
    public string? AdminTokenFile { get; init; }

    public int Concurrency { get; init; } = Environment.ProcessorCount;

    public IReadOnlyList<string> Labels { get; init; } = [];

    public TimeSpan Grace { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a run is kept once it has ended, with its jobs and logs; null: for ever.</summary>
    public TimeSpan? Retention { get; init; } = TimeSpan.FromDays(30);

    /// <summary>How long an event stream may go without a byte before a keep-alive comment is sent, so that proxies and
    /// idle timeouts leave it open.</summary>
    public TimeSpan StreamKeepAlive { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The most <see cref="WebhookMaxBody"/> may be: GitHub caps its payloads at 25 MB, and no forge sends more.</summary>
    public const int LargestWebhookBody = 25 * 1024 * 1024;

    /// <summary>The largest webhook body read: one with a longer Content-Length is refused unread, and a chunked one is
    /// cut off as soon as it passes this. Real pushes and pull requests are a few KiB to a few hundred.</summary>
    public int WebhookMaxBody { get; init; } = 4 * 1024 * 1024;

    /// <summary>How many webhook bodies may be read and verified at once; the next waits a few seconds for its turn,
    /// then is answered 503. Until verified a delivery is anyone's, so this bounds what strangers can make the server hold.</summary>
    public int WebhookConcurrency { get; init; } = 8;

    /// <summary>The largest <c>.cairn.yml</c> read from a repository; a larger one fails its run (config) unread.</summary>
    public long MaxPipelineSize { get; init; } = PipelineLoader.DefaultMaxBytes;

    /// <summary>The identity providers people may sign in to the dashboard through.</summary>
    public Dashboard.SignIn.SignInSettings SignIn { get; init; } = Dashboard.SignIn.SignInSettings.None;

    public AgentBudgetSettings AgentBudget { get; init; } = AgentBudgetSettings.None;

    /// <summary>Where artifacts and caches are kept, and their limits.</summary>
    public ArtifactStoreSettings Artifacts { get; init; } = ArtifactStoreSettings.DataDirectory;

    /// <summary>Where <c>/metrics</c> is served, and the token it asks for on the main listener.</summary>
    public MetricsSettings Metrics { get; init; } = MetricsSettings.Off;
    /// <summary>The log format and the trace link's template.</summary>
    public TelemetrySettings Telemetry { get; init; } = TelemetrySettings.Default;

    /// <summary>The global role of a user made on their first sign-in through an identity provider, or added without a
    /// role; null (<c>none</c>): they see only what is granted to them or their groups, and public repositories.</summary>
    public Core.Access.Role? DefaultRole { get; init; } = Core.Access.Role.Viewer;

    /// <summary>How long a dashboard session lasts without a request.</summary>
    public TimeSpan SessionIdle { get; init; } = TimeSpan.FromHours(12);

    /// <summary>How long a dashboard session lasts at most, however busy.</summary>
    public TimeSpan SessionLifetime { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Global roles given to the members of identity-provider groups (<c>Auth:GroupRoles</c>): a user's role is
    /// the highest of their own and their groups' while they are signed in with those groups.</summary>
    public IReadOnlyDictionary<string, Core.Access.Role> GroupRoles { get; init; } = new Dictionary<string, Core.Access.Role>(StringComparer.Ordinal);

    /// <summary>Each setting: its key in the Cairn section, its environment variable, its command-line option.</summary>
    public static IReadOnlyList<(string Key, string Variable, string Option)> Names { get; } =
    [
        ("Data", "CAIRN_DATA", "--data"),
        ("Workspaces", "CAIRN_WORKSPACES", "--workspaces"),
        ("StepPath", "CAIRN_STEP_PATH", "--step-path"),
        ("PassEnv", "CAIRN_PASS_ENV", "--pass-env"),
        ("JobUser", "CAIRN_JOB_USER", "--job-user"),
        ("JobNice", "CAIRN_JOB_NICE", "--job-nice"),
        ("Urls", "CAIRN_URLS", "--urls"),
        ("PublicUrl", "CAIRN_PUBLIC_URL", "--public-url"),
        ("Store", "CAIRN_STORE", "--store"),
        ("Connection", "CAIRN_CONNECTION", "--connection"),
        ("Runners", "CAIRN_RUNNERS", "--runners"),
        ("Kubeconfig", "CAIRN_KUBECONFIG", "--kubeconfig"),
        ("AdminTokenFile", "CAIRN_ADMIN_TOKEN_FILE", "--admin-token-file"),
        ("Concurrency", "CAIRN_CONCURRENCY", "--concurrency"),
        ("Labels", "CAIRN_LABELS", "--labels"),
        ("Grace", "CAIRN_GRACE", "--grace"),
        ("Lease", "CAIRN_LEASE", "--lease"),
        ("Heartbeat", "CAIRN_HEARTBEAT", "--heartbeat"),
        ("Retention", "CAIRN_RETENTION", "--retention"),
        ("StreamKeepAlive", "CAIRN_STREAM_KEEP_ALIVE", "--stream-keep-alive"),
        ("MaxPipelineSize", "CAIRN_MAX_PIPELINE_SIZE", "--max-pipeline-size"),
        ("WebhookMaxBody", "CAIRN_WEBHOOK_MAX_BODY", "--webhook-max-body"),
        ("WebhookConcurrency", "CAIRN_WEBHOOK_CONCURRENCY", "--webhook-concurrency"),
        ("Auth:DefaultRole", "CAIRN_DEFAULT_ROLE", "--default-role"),
        ("Auth:SessionIdle", "CAIRN_SESSION_IDLE", "--session-idle"),
        ("Auth:SessionLifetime", "CAIRN_SESSION_LIFETIME", "--session-lifetime"),
        ("Auth:GroupRoles", "CAIRN_GROUP_ROLES", "--group-roles"),
        .. Dashboard.SignIn.SignInSettings.Names,
        .. AgentBudgetSettings.Names,
        .. ArtifactStoreSettings.Names,
        .. MetricsSettings.Names,
        .. TelemetrySettings.Names,
    ];

    /// <summary>Layers the sources: <paramref name="jsonFile"/> (optional), then the environment, then
    /// <paramref name="commandLine"/> (key → value, keys as in <see cref="Names"/>).</summary>
    public static IConfiguration Compose(string? jsonFile, IReadOnlyDictionary<string, string?> environment, IReadOnlyDictionary<string, string?> commandLine)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(commandLine);
        var builder = new ConfigurationBuilder();
        if (jsonFile is not null && File.Exists(jsonFile))
        {
            builder.AddJsonFile(Path.GetFullPath(jsonFile), optional: true, reloadOnChange: false);
        }

        builder.AddInMemoryCollection(ArtifactStoreSettings.AmbientValues(environment, Section));
        builder.AddInMemoryCollection(Names
            .Where(n => environment.TryGetValue(n.Variable, out var v) && !string.IsNullOrEmpty(v))
            .Select(n => KeyValuePair.Create($"{Section}:{n.Key}", environment[n.Variable])));
        builder.AddInMemoryCollection(commandLine
            .Where(c => c.Value is not null)
            .Select(c => KeyValuePair.Create($"{Section}:{c.Key}", c.Value)));
        return builder.Build();
    }

    /// <summary>The settings, or every problem with them, each naming the setting and its three spellings.</summary>
    public static (ServerSettings? Settings, IReadOnlyList<string> Errors) Bind(IConfiguration configuration, string workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(Section);
        var errors = new List<string>();
        string? Get(string key) => section[key] is { Length: > 0 } value ? value.Trim() : null;
        void Fail(string key, string message)
        {
            var (_, variable, option) = Names.First(n => n.Key == key);
            errors.Add($"{option} / {variable} / {Section}:{key}: {message}");
        }

        var data = Path.GetFullPath(Get("Data") ?? "cairn-data", workingDirectory);
        var workspaces = Path.GetFullPath(Get("Workspaces") ?? Path.TrimEndingDirectorySeparator(data) + "-workspaces", workingDirectory);
        if (IsWithin(workspaces, data) || IsWithin(data, workspaces))
        {
            Fail("Workspaces", $"{workspaces} must lie outside the data directory {data} (and not hold it), so that no path from a workspace leads to the server's keys");
        }

        var stepPath = Get("StepPath") ?? Core.Execution.StepEnvironmentPolicy.DefaultPath;
        if (stepPath.Any(char.IsControl))
        {
            Fail("StepPath", "the PATH of steps must not hold control characters");
        }

        var passEnv = (Get("PassEnv") ?? "").Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var name in passEnv.Where(n => !Core.Execution.StepEnvironmentPolicy.IsVariableName(n)))
        {
            Fail("PassEnv", $"'{name}' is not a variable name (letters, digits and _, not starting with a digit)");
        }

        var jobUser = Get("JobUser");
        if (jobUser is not null && (jobUser.StartsWith('-') || jobUser.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == ':')))
        {
            Fail("JobUser", $"'{jobUser}' is not a user name or uid");
        }

        var urls = (Get("Urls") ?? "http://127.0.0.1:8080").Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var url in urls)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                Fail("Urls", $"'{url}' is not an http:// or https:// address to listen on");
            }
        }

        Uri? publicUrl = null;
        var publicText = Get("PublicUrl") ?? urls.FirstOrDefault();
        if (publicText is not null && (!Uri.TryCreate(publicText, UriKind.Absolute, out publicUrl) || publicUrl.Scheme is not ("http" or "https")))
        {
            Fail("PublicUrl", $"'{publicText}' is not an absolute http:// or https:// address");
            publicUrl = null;
        }

        var store = Get("Store") ?? "sqlite";
        if (store is not ("sqlite" or "postgres"))
        {
            Fail("Store", $"'{store}' is not a store: say sqlite or postgres");
        }

        var connection = Get("Connection");
        if (connection is null && store == "postgres")
        {
            Fail("Connection", "a PostgreSQL store needs a connection string (Host=…;Username=…;Database=…)");
        }

        connection ??= Path.Combine(data, "cairn.db");
        if (store == "sqlite")
        {
            connection = Path.GetFullPath(connection, workingDirectory);
        }

        var runners = Get("Runners") is { } runnersFile ? Path.GetFullPath(runnersFile, workingDirectory) : null;
        if (runners is not null && !File.Exists(runners))
        {
            Fail("Runners", $"there is no runner file {runners}");
        }

        var kubeconfig = Get("Kubeconfig") is { } kubeconfigFile ? Path.GetFullPath(kubeconfigFile, workingDirectory) : null;
        if (kubeconfig is not null && !File.Exists(kubeconfig))
        {
            Fail("Kubeconfig", $"there is no kubeconfig file {kubeconfig}");
        }

        var adminTokenFile = Get("AdminTokenFile") is { } adminTokenText ? Path.GetFullPath(adminTokenText, workingDirectory) : null;
        if (adminTokenFile is not null && !File.Exists(adminTokenFile))
        {
            Fail("AdminTokenFile", $"there is no admin token file {adminTokenFile}");
        }

        var jobNice = DefaultJobNice;
        if (Get("JobNice") is { } jobNiceText
            && (!int.TryParse(jobNiceText, NumberStyles.None, CultureInfo.InvariantCulture, out jobNice) || jobNice > Executors.Shell.ProcessPriority.Lowest))
        {
            Fail("JobNice", $"'{jobNiceText}' is not a number of nice steps from 0 (jobs at the server's own priority) to {Executors.Shell.ProcessPriority.Lowest}");
        }

        var concurrency = Environment.ProcessorCount;
        if (Get("Concurrency") is { } concurrencyText
            && (!int.TryParse(concurrencyText, NumberStyles.None, CultureInfo.InvariantCulture, out concurrency) || concurrency is < 0 or > 1024))
        {
            Fail("Concurrency", $"'{concurrencyText}' is not a number of jobs from 0 (this server runs none) to 1024");
        }

        TimeSpan Duration(string key, TimeSpan fallback)
        {
            if (Get(key) is not { } text)
            {
                return fallback;
            }

            if (Core.Pipelines.Duration.TryParse(text, out var value, out var error) && value > TimeSpan.Zero)
            {
                return value;
            }

            Fail(key, error ?? $"'{text}' is not a positive duration (e.g. 30s, 2m)");
            return fallback;
        }

        var grace = Duration("Grace", TimeSpan.FromSeconds(30));
        var lease = Duration("Lease", TimeSpan.FromSeconds(30));
        var heartbeat = Duration("Heartbeat", TimeSpan.FromSeconds(10));
        if (heartbeat >= lease)
        {
            Fail("Heartbeat", $"the heartbeat ({Core.Pipelines.Duration.Format(heartbeat)}) must be shorter than the lease ({Core.Pipelines.Duration.Format(lease)})");
        }

        TimeSpan? retention = TimeSpan.FromDays(30);
        if (Get("Retention") is { } retentionText)
        {
            if (string.Equals(retentionText, "off", StringComparison.OrdinalIgnoreCase))
            {
                retention = null;
            }
            else if (Core.Pipelines.Duration.TryParse(retentionText, out var kept, out _))
            {
                retention = kept;
            }
            else
            {
                Fail("Retention", $"'{retentionText}' is neither a duration (like 30d or 12h) nor off");
            }
        }

        var keepAlive = Duration("StreamKeepAlive", TimeSpan.FromSeconds(15));

        var maxPipelineSize = PipelineLoader.DefaultMaxBytes;
        if (Get("MaxPipelineSize") is { } sizeText && !ByteSize.TryParse(sizeText, out maxPipelineSize))
        {
            Fail("MaxPipelineSize", $"'{sizeText}' is not a size (like 1MiB, 512KiB, or a number of bytes)");
        }

        var webhookMaxBody = 4 * 1024 * 1024;
        if (Get("WebhookMaxBody") is { } maxBodyText)
        {
            if (ByteSize.TryParse(maxBodyText, out var maxBody) && maxBody is >= 1024 and <= LargestWebhookBody)
            {
                webhookMaxBody = (int)maxBody;
            }
            else
            {
                Fail("WebhookMaxBody", $"'{maxBodyText}' is not a size from 1KiB to 25MiB (like 4MiB, 512KiB, or a number of bytes)");
            }
        }

        var webhookConcurrency = 8;
        if (Get("WebhookConcurrency") is { } webhookConcurrencyText
            && (!int.TryParse(webhookConcurrencyText, NumberStyles.None, CultureInfo.InvariantCulture, out webhookConcurrency) || webhookConcurrency is < 1 or > 1024))
        {
            Fail("WebhookConcurrency", $"'{webhookConcurrencyText}' is not a number of webhook bodies from 1 to 1024");
        }

        Core.Access.Role? defaultRole = Core.Access.Role.Viewer;
        if (Get("Auth:DefaultRole") is { } roleText && !Core.Access.RoleNames.TryParseGlobal(roleText, out defaultRole))
        {
            Fail("Auth:DefaultRole", $"'{roleText}' is not a role (none, viewer, developer, maintainer, admin)");
        }

        var sessionIdle = Duration("Auth:SessionIdle", TimeSpan.FromHours(12));
        var sessionLifetime = Duration("Auth:SessionLifetime", TimeSpan.FromDays(7));
        var groupRoles = ReadGroupRoles(section.GetSection("Auth:GroupRoles"), message => Fail("Auth:GroupRoles", message));

        var signIn = Dashboard.SignIn.SignInSettings.Bind(Get, Fail, workingDirectory);
        var agentBudget = AgentBudgetSettings.Bind(Get, Fail);
        var artifacts = ArtifactStoreSettings.Bind(Get, Fail, workingDirectory);
        var metrics = MetricsSettings.Bind(Get, Fail, workingDirectory, urls);
        var telemetry = TelemetrySettings.Bind(Get, Fail);
        var labels = (Get("Labels") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        if (errors.Count > 0 || publicUrl is null)
        {
            return (null, errors);
        }

        return (new ServerSettings
        {
            DataDirectory = data,
            WorkspacesDirectory = workspaces,
            StepPath = stepPath,
            PassEnv = [.. passEnv.Distinct(StringComparer.Ordinal)],
            JobUser = jobUser,
            JobNice = jobNice,
            Urls = urls,
            PublicUrl = publicUrl,
            Store = store,
            Connection = connection,
            RunnersFile = runners,
            KubeconfigFile = kubeconfig,
            AdminTokenFile = adminTokenFile,
            Concurrency = concurrency,
            Labels = labels,
            Grace = grace,
            Lease = lease,
            Heartbeat = heartbeat,
            Retention = retention,
            StreamKeepAlive = keepAlive,
            MaxPipelineSize = maxPipelineSize,
            WebhookMaxBody = webhookMaxBody,
            WebhookConcurrency = webhookConcurrency,
            DefaultRole = defaultRole,
            SessionIdle = sessionIdle,
            SessionLifetime = sessionLifetime,
            GroupRoles = groupRoles,
            SignIn = signIn,
            AgentBudget = agentBudget,
            Artifacts = artifacts,
            Metrics = metrics,
            Telemetry = telemetry,
        }, errors);
    }
}
