using System.Text.Json.Serialization;

namespace Cairn.Executors.Container;

// The slice of the Docker Engine API (v1.41) the container executor uses. Names are the API's own.

internal sealed record ContainerCreateRequest(
    string Image,
    IReadOnlyList<string>? Entrypoint,
    IReadOnlyList<string>? Cmd,
    IReadOnlyList<string> Env,
    string? WorkingDir,
    IReadOnlyDictionary<string, string> Labels,
    HostConfig HostConfig,
    NetworkingConfig? NetworkingConfig);

internal sealed record HostConfig(
    IReadOnlyList<string>? Binds = null,
    long? Memory = null,
    long? NanoCpus = null,
    string? NetworkMode = null);

internal sealed record NetworkingConfig(IReadOnlyDictionary<string, EndpointSettings> EndpointsConfig);

internal sealed record EndpointSettings(IReadOnlyList<string>? Aliases);

internal sealed record CreatedResponse(string Id);

internal sealed record ImageInspectResponse(string Id);

internal sealed record ExecCreateRequest(
    IReadOnlyList<string> Cmd,
    IReadOnlyList<string> Env,
    string WorkingDir,
    bool AttachStdin = false,
    bool AttachStdout = true,
    bool AttachStderr = true,
    bool Tty = false);

internal sealed record ExecStartRequest(bool Detach = false, bool Tty = false);

internal sealed record ExecInspectResponse(bool Running, int? ExitCode);

/// <param name="OOMKilled">The container's own process was killed by its memory limit (an exec's is not reported here).</param>
internal sealed record ContainerState(string? Status, bool Running, int ExitCode, string? Error, bool OOMKilled = false);

/// <summary>What the tests and the sweep read back about a container.</summary>
internal sealed record ContainerInspectResponse(
    string Id,
    string? Name,
    ContainerState? State,
    HostConfig? HostConfig,
    ContainerConfigSummary? Config);

internal sealed record ContainerConfigSummary(IReadOnlyDictionary<string, string>? Labels, string? WorkingDir, IReadOnlyList<string>? Env);

internal sealed record ContainerSummary(string Id, IReadOnlyList<string>? Names, IReadOnlyDictionary<string, string>? Labels, long Created, string? State);

internal sealed record NetworkCreateRequest(string Name, IReadOnlyDictionary<string, string> Labels, bool CheckDuplicate = true);

internal sealed record NetworkSummary(string Id, string Name, IReadOnlyDictionary<string, string>? Labels, string? Created);

/// <param name="Mode">Go's file mode bits: permissions, and a bit per kind (<see cref="SymbolicLinkBit"/>).</param>
internal sealed record ContainerPathStat(string? Name, long Size, long Mode, bool IsDir, string? LinkTarget)
{
    public const long SymbolicLinkBit = 1L << 27;

    public bool IsSymbolicLink => (Mode & SymbolicLinkBit) != 0;
}

internal sealed record EngineError(string? Message);

internal sealed record PullProgress(string? Status, string? Error, PullErrorDetail? ErrorDetail);

internal sealed record PullErrorDetail(string? Message);

// The API writes most names in PascalCase but errors and pull progress in camelCase (message, errorDetail).
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(ContainerCreateRequest))]
[JsonSerializable(typeof(CreatedResponse))]
[JsonSerializable(typeof(ImageInspectResponse))]
[JsonSerializable(typeof(ExecCreateRequest))]
[JsonSerializable(typeof(ExecStartRequest))]
[JsonSerializable(typeof(ExecInspectResponse))]
[JsonSerializable(typeof(ContainerInspectResponse))]
[JsonSerializable(typeof(List<ContainerSummary>))]
[JsonSerializable(typeof(NetworkCreateRequest))]
[JsonSerializable(typeof(List<NetworkSummary>))]
[JsonSerializable(typeof(EngineError))]
[JsonSerializable(typeof(ContainerPathStat))]
[JsonSerializable(typeof(PullProgress))]
[JsonSerializable(typeof(Dictionary<string, string[]>))]
internal sealed partial class EngineJson : JsonSerializerContext;
