using Cairn.Core.Runs;

namespace Cairn.Storage;

/// <summary>A store that keeps runs and hands out their jobs, whichever database is behind it; dispose it to let go of the database.</summary>
public interface ICairnStore : IRunStore, IJobQueue, IAsyncDisposable;
