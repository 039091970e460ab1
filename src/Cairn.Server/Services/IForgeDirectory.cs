using System.Threading.Channels;
using Cairn.Core.Forges;
using Cairn.Core.Repositories;

namespace Cairn.Server.Services;

/// <summary>The forge implementations, by kind.</summary>
public interface IForgeDirectory
{
    IForge Get(ForgeKind kind);

    /// <summary>The pull request API of <paramref name="kind"/>; none where the directory has no forges that open them.</summary>
    Core.Publishing.IPullRequestForge PullRequests(ForgeKind kind) =>
        throw new NotSupportedException($"{kind.ToWire()} pull requests are not available here");
}
