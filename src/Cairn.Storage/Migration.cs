namespace Cairn.Storage;

/// <summary>One numbered schema change, applied once, in order, in its own transaction.</summary>
public sealed record Migration(int Version, string Description, string Sql);
