namespace Cairn.Executors.Container;

/// <summary>Where the container executor finds its engine, how it labels what it creates, and how it cleans up.</summary>
public sealed class ContainerExecutorOptions
{
    /// <summary>The engine's address as DOCKER_HOST writes it (<c>unix:///run/podman.sock</c>, <c>tcp://host:2375</c>);
    /// null means DOCKER_HOST, else <see cref="DockerEndpoint.DefaultAddress"/>.</summary>
    public string? EngineAddress { get; set; }

    /// <summary>Who owns the containers this executor creates (label <c>cairn.owner</c>). A stable id (a worker's
    /// name) lets a restarted worker sweep what its crashed predecessor left; null means <c>host:pid</c>.</summary>
    public string? OwnerId { get; set; }

    /// <summary>The image for a job that names none; null makes such a job fail as a configuration error.</summary>
    public string? DefaultImage { get; set; }

    /// <summary>Names of this process's environment variables every job container gets (besides its runner's
    /// <c>pass-env:</c>). Nothing else of this process's environment reaches a container.</summary>
    public IReadOnlyList<string> PassEnv { get; set; } = [];

    /// <summary>How long removing a job's containers and network may take once the job has ended.</summary>
    public TimeSpan CleanupTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>When set, the sweep also removes any Cairn-labelled container or network older than this, whoever
    /// owns it: for hosts whose workers share one engine and may never come back.</summary>
    public TimeSpan? SweepOlderThan { get; set; }
}
