using System.Globalization;

namespace Cairn.Executors.Container;

/// <summary>Where a Docker Engine API listens: a unix socket (<c>unix:///var/run/docker.sock</c>) or a TCP address
/// (<c>tcp://host:2375</c>), written as DOCKER_HOST writes it.</summary>
public sealed record DockerEndpoint(string Address, string? SocketPath, string? Host, int Port)
{
    /// <summary>Where Docker listens when DOCKER_HOST is not set.</summary>
    public const string DefaultAddress = "unix:///var/run/docker.sock";

    /// <summary>The endpoint DOCKER_HOST names, or Docker's default socket.</summary>
    public static DockerEndpoint FromEnvironment() =>
        Parse(Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } value ? value : DefaultAddress);

    /// <summary>Reads <c>unix:///path</c>, <c>tcp://host:port</c> or <c>http://host:port</c>; throws <see cref="FormatException"/> otherwise.</summary>
    public static DockerEndpoint Parse(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.StartsWith("unix://", StringComparison.Ordinal))
        {
            var path = address["unix://".Length..];
            return path.StartsWith('/')
                ? new DockerEndpoint(address, path, null, 0)
                : throw new FormatException($"'{address}' is not a container engine address: a unix socket path must be absolute (unix:///run/docker.sock)");
        }

        foreach (var scheme in (ReadOnlySpan<string>)["tcp://", "http://"])
        {
            if (address.StartsWith(scheme, StringComparison.Ordinal)
                && Uri.TryCreate("http://" + address[scheme.Length..].TrimEnd('/'), UriKind.Absolute, out var uri))
            {
                return new DockerEndpoint(address, null, uri.Host, uri.IsDefaultPort ? 2375 : uri.Port);
            }
        }

        throw new FormatException($"'{address}' is not a container engine address: write unix:///path/to.sock or tcp://host:port");
    }

    /// <summary>The base address requests are written against; for a socket the host part is a placeholder.</summary>
    internal Uri BaseAddress => SocketPath is null
        ? new Uri(string.Create(CultureInfo.InvariantCulture, $"http://{Host}:{Port}/"))
        : new Uri("http://engine/");

    public override string ToString() => Address;
}
