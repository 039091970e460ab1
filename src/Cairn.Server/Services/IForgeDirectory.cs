using System.Threading.Channels;
using Cairn.Core.Forges;
using Cairn.Core.Repositories;

namespace Cairn.Server.Services;

/// <summary>The forge implementations, by kind.</summary>
public interface IForgeDirectory
{
    IForge Get(ForgeKind kind);
}
