namespace Cairn.Core.Runs;

/// <summary>What the server knows of the workers it runs itself: how many jobs at once and the labels they offer.
/// Workers of other processes on the same store are registered nowhere, so nothing can be said of them.</summary>
public sealed record LocalWorkers(int Slots, IReadOnlyList<string> Labels);
