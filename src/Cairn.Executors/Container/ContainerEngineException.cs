using System.Net;

namespace Cairn.Executors.Container;

/// <summary>The engine answered with an error; <see cref="Exception.Message"/> is the engine's own words.</summary>
internal class ContainerEngineException(HttpStatusCode? status, string message, Exception? inner = null) : Exception(message, inner)
{
    public HttpStatusCode? Status { get; } = status;
}

/// <summary>Nothing answered at the engine's address: the socket is missing, the connection was refused…</summary>
internal sealed class EngineUnreachableException(DockerEndpoint endpoint, string reason, Exception inner)
    : ContainerEngineException(null, $"no container engine is reachable at {endpoint.Address}: {reason}", inner);
