using Cairn.Server.Hosting;

namespace Cairn.Server.Tests;

public sealed class SettingsTests
{
    [Fact]
    public void Every_bad_value_is_named_with_its_flag_variable_and_key()
    {
        var configuration = ServerSettings.Compose(null,
            new Dictionary<string, string?> { ["CAIRN_GRACE"] = "soon", ["CAIRN_STORE"] = "mysql" },
            new Dictionary<string, string?> { ["Urls"] = "ftp://x", ["Concurrency"] = "-3", ["PublicUrl"] = "not a url", ["Heartbeat"] = "1m" });

        var (settings, errors) = ServerSettings.Bind(configuration, "/tmp");

        Assert.Null(settings);
        Assert.Contains(errors, e => e.StartsWith("--grace / CAIRN_GRACE / Cairn:Grace:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'mysql' is not a store", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'ftp://x'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'-3'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'not a url'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("heartbeat", StringComparison.OrdinalIgnoreCase) && e.Contains("shorter", StringComparison.Ordinal));
    }

    [Fact]
    public void The_command_line_wins_over_the_environment_which_wins_over_the_json_file()
    {
        using var dir = new TempDirectory();
        var json = dir.WriteFile("appsettings.json", """{ "Cairn": { "Data": "from-json", "Concurrency": "3", "Grace": "7s" } }""");

        var configuration = ServerSettings.Compose(json,
            new Dictionary<string, string?> { ["CAIRN_CONCURRENCY"] = "5", ["CAIRN_DATA"] = "from-env" },
            new Dictionary<string, string?> { ["Data"] = "from-flag" });
        var (settings, errors) = ServerSettings.Bind(configuration, dir.Path);

        Assert.Empty(errors);
        Assert.Equal(dir.Combine("from-flag"), settings!.DataDirectory);
        Assert.Equal(5, settings.Concurrency);
        Assert.Equal(TimeSpan.FromSeconds(7), settings.Grace);
        Assert.Equal(dir.Combine("from-flag", "cairn.db"), settings.Connection);
        Assert.Equal(new Uri("http://127.0.0.1:8080"), settings.PublicUrl);
    }

    [Fact]
    public void A_postgres_store_needs_a_connection_string()
    {
        var (settings, errors) = ServerSettings.Bind(ServerSettings.Compose(null, new Dictionary<string, string?>(), new Dictionary<string, string?> { ["Store"] = "postgres" }), "/tmp");

        Assert.Null(settings);
        Assert.Contains(errors, e => e.Contains("connection string", StringComparison.Ordinal));
    }

    [Fact]
    public void Webhook_bodies_are_at_most_4MiB_8_at_a_time_unless_set_in_bytes_KiB_or_MiB()
    {
        static (ServerSettings? Settings, IReadOnlyList<string> Errors) Bind(string? maxBody, string? concurrency = null) => ServerSettings.Bind(
            ServerSettings.Compose(null, new Dictionary<string, string?> { ["CAIRN_WEBHOOK_MAX_BODY"] = maxBody, ["CAIRN_WEBHOOK_CONCURRENCY"] = concurrency }, new Dictionary<string, string?>()), "/tmp");

        Assert.Equal((4 * 1024 * 1024, 8), (Bind(null).Settings!.WebhookMaxBody, Bind(null).Settings!.WebhookConcurrency));
        Assert.Equal(512 * 1024, Bind("512KiB").Settings!.WebhookMaxBody);
        Assert.Equal(2 * 1024 * 1024, Bind("2 mib").Settings!.WebhookMaxBody);
        Assert.Equal(100_000, Bind("100000").Settings!.WebhookMaxBody);
        Assert.Equal(25 * 1024 * 1024, Bind("25MiB").Settings!.WebhookMaxBody);
        Assert.Equal(32, Bind(null, "32").Settings!.WebhookConcurrency);
        foreach (var bad in new[] { "26MiB", "1000", "-1", "lots" })
        {
            Assert.Equal(
                [$"--webhook-max-body / CAIRN_WEBHOOK_MAX_BODY / Cairn:WebhookMaxBody: '{bad}' is not a size from 1KiB to 25MiB (like 4MiB, 512KiB, or a number of bytes)"],
                Bind(bad).Errors);
        }

        Assert.Equal(
            ["--webhook-concurrency / CAIRN_WEBHOOK_CONCURRENCY / Cairn:WebhookConcurrency: '0' is not a number of webhook bodies from 1 to 1024"],
            Bind(null, "0").Errors);
    }

    [Fact]
    public void Jobs_run_ten_nice_steps_below_the_server_unless_set_from_0_to_19()
    {
        static (ServerSettings? Settings, IReadOnlyList<string> Errors) Bind(string? nice) => ServerSettings.Bind(
            ServerSettings.Compose(null, new Dictionary<string, string?> { ["CAIRN_JOB_NICE"] = nice }, new Dictionary<string, string?>()), "/tmp");

        Assert.Equal(10, Bind(null).Settings!.JobNice);
        Assert.Equal(0, Bind("0").Settings!.JobNice);
        Assert.Equal(19, Bind("19").Settings!.JobNice);
        foreach (var bad in new[] { "20", "-1", "low" })
        {
            Assert.Equal(
                [$"--job-nice / CAIRN_JOB_NICE / Cairn:JobNice: '{bad}' is not a number of nice steps from 0 (jobs at the server's own priority) to 19"],
                Bind(bad).Errors);
        }
    }

    [Fact]
    public void Retention_is_thirty_days_unless_set_and_off_keeps_every_run()
    {
        static (ServerSettings? Settings, IReadOnlyList<string> Errors) Bind(string? retention) => ServerSettings.Bind(
            ServerSettings.Compose(null, new Dictionary<string, string?> { ["CAIRN_RETENTION"] = retention }, new Dictionary<string, string?>()), "/tmp");

        Assert.Equal(TimeSpan.FromDays(30), Bind(null).Settings!.Retention);
        Assert.Equal(TimeSpan.FromDays(7), Bind("7d").Settings!.Retention);
        Assert.Null(Bind("off").Settings!.Retention);
        Assert.Equal(TimeSpan.FromSeconds(15), Bind(null).Settings!.StreamKeepAlive);
        var (settings, errors) = Bind("a while");
        Assert.Null(settings);
        Assert.Equal(["--retention / CAIRN_RETENTION / Cairn:Retention: 'a while' is neither a duration (like 30d or 12h) nor off"], errors);
    }

    [Fact]
    public void Workspaces_lie_beside_the_data_directory_unless_set_and_never_inside_it()
    {
        static (ServerSettings? Settings, IReadOnlyList<string> Errors) Bind(Dictionary<string, string?> given) =>
            ServerSettings.Bind(ServerSettings.Compose(null, new Dictionary<string, string?>(), given), "/srv");

        Assert.Equal("/srv/cairn-data-workspaces", Bind(new() { ["Data"] = "cairn-data" }).Settings!.WorkspacesDirectory);
        Assert.Equal("/var/cairn-work", Bind(new() { ["Workspaces"] = "/var/cairn-work" }).Settings!.WorkspacesDirectory);
        var inside = Bind(new() { ["Data"] = "/srv/data", ["Workspaces"] = "/srv/data/ws" });
        var holding = Bind(new() { ["Data"] = "/srv/data", ["Workspaces"] = "/srv" });
        Assert.Null(inside.Settings);
        Assert.Contains(inside.Errors, e => e.StartsWith("--workspaces / CAIRN_WORKSPACES / Cairn:Workspaces:", StringComparison.Ordinal) && e.Contains("outside the data directory", StringComparison.Ordinal));
        Assert.Null(holding.Settings);
        Assert.NotNull(Bind(new() { ["Data"] = "/srv/data", ["Workspaces"] = "/srv/data-ws" }).Settings);
    }

    [Fact]
    public void Step_environment_settings_are_read_and_bad_names_refused()
    {
        var (settings, errors) = ServerSettings.Bind(ServerSettings.Compose(null,
            new Dictionary<string, string?> { ["CAIRN_PASS_ENV"] = "HTTP_PROXY, NO_PROXY", ["CAIRN_STEP_PATH"] = "/opt/bin:/usr/bin", ["CAIRN_JOB_USER"] = "builder" },
            new Dictionary<string, string?>()), "/srv");
        var (bad, badErrors) = ServerSettings.Bind(ServerSettings.Compose(null, new Dictionary<string, string?>(),
            new Dictionary<string, string?> { ["PassEnv"] = "GOOD,9BAD", ["JobUser"] = "-u root" }), "/srv");

        Assert.Empty(errors);
        Assert.Equal(["HTTP_PROXY", "NO_PROXY"], settings!.PassEnv);
        Assert.Equal("/opt/bin:/usr/bin", settings.StepPath);
        Assert.Equal("builder", settings.JobUser);
        Assert.Null(bad);
        Assert.Contains(badErrors, e => e.StartsWith("--pass-env / CAIRN_PASS_ENV", StringComparison.Ordinal) && e.Contains("'9BAD'", StringComparison.Ordinal));
        Assert.Contains(badErrors, e => e.StartsWith("--job-user / CAIRN_JOB_USER", StringComparison.Ordinal));
    }

    [Fact]
    public void The_pipeline_size_limit_is_one_MiB_unless_set_in_binary_units_or_bytes()
    {
        static (ServerSettings? Settings, IReadOnlyList<string> Errors) Bind(string? size) => ServerSettings.Bind(
            ServerSettings.Compose(null, new Dictionary<string, string?> { ["CAIRN_MAX_PIPELINE_SIZE"] = size }, new Dictionary<string, string?>()), "/tmp");

        Assert.Equal(1024 * 1024, Bind(null).Settings!.MaxPipelineSize);
        Assert.Equal(512 * 1024, Bind("512KiB").Settings!.MaxPipelineSize);
        Assert.Equal(2 * 1024 * 1024, Bind("2 MiB").Settings!.MaxPipelineSize);
        Assert.Equal(300_000, Bind("300000").Settings!.MaxPipelineSize);
        var (settings, errors) = Bind("big");
        Assert.Null(settings);
        Assert.Equal(["--max-pipeline-size / CAIRN_MAX_PIPELINE_SIZE / Cairn:MaxPipelineSize: 'big' is not a size (like 1MiB, 512KiB, or a number of bytes)"], errors);
        Assert.NotEmpty(Bind("0").Errors);
        Assert.NotEmpty(Bind("-1MiB").Errors);
    }
}
