using System.Globalization;
using Cairn.Core.Execution;

namespace Cairn.Executors.Container;

/// <summary>Builds the engine requests for a job: what its containers, services, network and step execs look like.</summary>
internal static class ContainerRequests
{
    public const string OwnerLabel = "cairn.owner";
    public const string RoleLabel = "cairn.role";
    public const string ServiceLabel = "cairn.service";
    public const string WorkspacePath = "/workspace";

    /// <summary>PID 1 of the job's container: something that waits forever and exists in any image with a userland.
    /// It never handles signals, so stopping the container is always a kill.</summary>
    private static readonly string[] KeepAlive = ["sleep", "2147483647"];

    public static ContainerCreateRequest JobContainer(JobSpec job, string image, string owner, string? network, IReadOnlyList<string>? passEnv = null) =>
        new(
            image,
            Entrypoint: KeepAlive[..1],
            Cmd: KeepAlive[1..],
            Env: EnvList(WithPassed(job, passEnv ?? [])),
            WorkingDir: WorkspacePath,
            Labels: Labels(job, owner, "job"),
            HostConfig: new HostConfig(
                Binds: [$"{job.Workspace}:{WorkspacePath}"],
                Memory: job.Resources?.MemoryBytes,
                NanoCpus: job.Resources?.Cpu is { } cpu ? NanoCpus(cpu) : null,
                NetworkMode: network),
            NetworkingConfig: null);

    /// <summary>A service keeps its image's entrypoint; its command, when given, replaces the image's.</summary>
    public static ContainerCreateRequest Service(JobSpec job, ServiceSpec service, string owner, string network)
    {
        var labels = Labels(job, owner, "service");
        labels[ServiceLabel] = service.Name;
        return new(
            service.Image,
            Entrypoint: null,
            Cmd: service.Command is { Count: > 0 } command ? command : null,
            Env: EnvList(service.Env),
            WorkingDir: null,
            Labels: labels,
            HostConfig: new HostConfig(NetworkMode: network),
            NetworkingConfig: new NetworkingConfig(new Dictionary<string, EndpointSettings>
            {
                [network] = new EndpointSettings([service.Name]),
            }));
    }

    public static NetworkCreateRequest Network(JobSpec job, string owner, string name) => new(name, Labels(job, owner, "network"));

    public static ExecCreateRequest Exec(IReadOnlyList<string> shell, string script, IReadOnlyDictionary<string, string> env) =>
        new([.. shell, script], EnvList(env), WorkspacePath);

    /// <summary>A readable, unique name: <c>cairn-r12-j34-a1-5f3a9c</c>, with a suffix for services.</summary>
    public static string Name(JobSpec job, string? suffix = null)
    {
        var random = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3));
        var name = string.Create(CultureInfo.InvariantCulture, $"cairn-r{job.RunId}-j{job.JobId}-a{job.Attempt}-{random}");
        return suffix is null ? name : $"{name}-{Sanitize(suffix)}";
    }

    public static long NanoCpus(double cpu) => (long)Math.Round(cpu * 1_000_000_000d);

    public static Dictionary<string, string> Labels(JobSpec job, string owner, string role)
    {
        var labels = new Dictionary<string, string>(job.Labels, StringComparer.Ordinal)
        {
            [OwnerLabel] = owner,
            [RoleLabel] = role,
        };
        return labels;
    }

    /// <summary>The job's variables over the ones an administrator passes from this process's environment by name.</summary>
    private static Dictionary<string, string> WithPassed(JobSpec job, IReadOnlyList<string> passEnv)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        var host = StepEnvironmentPolicy.HostEnvironment();
        foreach (var name in passEnv.Concat(job.PassEnv))
        {
            if (host.TryGetValue(name, out var value))
            {
                env[name] = value;
            }
        }

        foreach (var (name, value) in job.Env)
        {
            env[name] = value;
        }

        return env;
    }

    private static List<string> EnvList(IReadOnlyDictionary<string, string> env) =>
        [.. env.Select(pair => $"{pair.Key}={pair.Value}")];

    private static string Sanitize(string text) =>
        new([.. text.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' ? c : '-')]);
}
