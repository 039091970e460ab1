namespace Cairn.Core.Secrets;

/// <summary>Which audit entries to list, newest first: every filter that is set must hold. <paramref name="Actor"/> and
/// <paramref name="Repository"/> compare without regard to case (as user and repository names do); <paramref name="Action"/>
/// exactly; <paramref name="BeforeId"/> pages back from an entry already seen.</summary>
public sealed record AuditQuery(
    string? Actor = null,
    string? Action = null,
    string? Repository = null,
    long? BeforeId = null,
    int Limit = 50)
{
    /// <summary>When set, only entries of these repositories (those the asker may see); entries of no repository are then
    /// left out, and an empty set lists nothing.</summary>
    public IReadOnlyCollection<string>? Repositories { get; init; }
}
