namespace Cairn.Core.Secrets;

/// <summary>A stored secret as a list shows it: where it belongs and when it was set, never its value.</summary>
/// <param name="Scope">The repository's full name as it was given when first set; null for a global secret.</param>
public sealed record SecretEntry(string? Scope, string Name, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A stored secret with its value still sealed (<see cref="SecretCipher"/>): only the holder of the master key
/// can open it.</summary>
public sealed record SealedSecret(string? Scope, string Name, byte[] SealedValue, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>Secrets that jobs read, each either a repository's (its scope is the repository's full name, compared
/// without regard to case, as forges compare names) or global (scope null). A (scope, name) pair is unique; names
/// compare exactly, as environment variables do. The store keeps values only as sealed bytes.</summary>
public interface ISecretStore
{
    /// <summary>Sets the secret, creating it or replacing its value; true when it was created.</summary>
    Task<bool> PutSecretAsync(string? scope, string name, byte[] sealedValue, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Removes the secret; false when there was none.</summary>
    Task<bool> DeleteSecretAsync(string? scope, string name, CancellationToken cancellationToken);

    /// <summary>The secrets of one scope (null: the global ones), by name.</summary>
    Task<IReadOnlyList<SecretEntry>> ListSecretsAsync(string? scope, CancellationToken cancellationToken);

    /// <summary>Every secret of every scope, the global ones first, then by scope and name.</summary>
    Task<IReadOnlyList<SecretEntry>> ListAllSecretsAsync(CancellationToken cancellationToken);

    Task<SealedSecret?> GetSealedSecretAsync(string? scope, string name, CancellationToken cancellationToken);
}

/// <summary>Something done, as the audit log keeps it: who read or changed which secret (never its value), who approved or
/// rejected which run, and every other change a person made (<see cref="Access.AuditActions"/>) with the token they used,
/// what it was done to, from which address and how it ended.</summary>
/// <param name="RunId">The run whose job read the secret, or the run acted on; null when no run is concerned.</param>
/// <param name="Repository">The repository of the run, the scope of a changed secret (null: global), or the repository
/// changed.</param>
/// <param name="Secret">The secret's name; null for an action on anything else.</param>
/// <param name="Action">What was done: <c>read</c>, <c>created</c>, <c>updated</c>, <c>deleted</c> (<see cref="SecretActions"/>),
/// <c>approve</c> or <c>reject</c> (<see cref="RunActions"/>), or one of <see cref="Access.AuditActions"/>.</param>
/// <param name="Actor">Who did it (a user's name); null for a job's read, which the run and job name.</param>
/// <param name="Detail">What the actor said, such as the reason a run was rejected, or why an action failed.</param>
public sealed record AuditEntry(
    long Id, DateTimeOffset At, long? RunId, long? JobId, string? Repository, string? Secret, string Action, string? Actor = null, string? Detail = null)
{
    /// <summary>The name of the API token the actor used (or <c>admin token</c>); null for a dashboard session.</summary>
    public string? TokenName { get; init; }

    /// <summary>What the action was done to, when not only the repository: a user, a token, a run (<c>run 12</c>).</summary>
    public string? Target { get; init; }

    /// <summary>The address the request came from.</summary>
    public string? ClientAddress { get; init; }

    /// <summary>How it ended (<see cref="Access.AuditOutcomes"/>): <c>ok</c>, <c>denied</c> or <c>failed</c>.</summary>
    public string Outcome { get; init; } = Access.AuditOutcomes.Ok;
}

/// <summary>An entry to append to the audit log; the log gives it its id.</summary>
public sealed record NewAuditEntry(
    DateTimeOffset At, long? RunId, long? JobId, string? Repository, string? Secret, string Action, string? Actor = null, string? Detail = null)
{
    public string? TokenName { get; init; }

    public string? Target { get; init; }

    public string? ClientAddress { get; init; }

    public string Outcome { get; init; } = Access.AuditOutcomes.Ok;
}

/// <summary>What the audit log says was done with a secret.</summary>
public static class SecretActions
{
    public const string Read = "read";
    public const string Created = "created";
    public const string Updated = "updated";
    public const string Deleted = "deleted";
}

/// <summary>What the audit log says a person did to a run that waited for approval.</summary>
public static class RunActions
{
    public const string Approve = "approve";
    public const string Reject = "reject";
}

/// <summary>The name the audit log gave the admin token's actions before the server had users.</summary>
public static class AuditActors
{
    public const string Admin = "admin";
}

/// <summary>What a secret's name and value may be: a name a shell can take as a variable, a value of reasonable size.</summary>
public static class SecretRules
{
    public const int MaxNameLength = 100;

    /// <summary>The largest value, in bytes of UTF-8 (64 KiB).</summary>
    public const int MaxValueBytes = 64 * 1024;

    /// <summary>Why <paramref name="name"/> cannot name a secret, or null when it can.</summary>
    public static string? NameError(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "a secret needs a name";
        }

        if (name.Length > MaxNameLength)
        {
            return $"the secret name '{name[..20]}…' is {name.Length} characters long; at most {MaxNameLength} are allowed";
        }

        var valid = (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
        return valid ? null : $"'{name}' is not a valid secret name; use letters, digits and _, not starting with a digit";
    }

    /// <summary>Why <paramref name="value"/> cannot be a secret's value, or null when it can.</summary>
    public static string? ValueError(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "a secret's value cannot be empty";
        }

        var bytes = System.Text.Encoding.UTF8.GetByteCount(value);
        return bytes > MaxValueBytes ? $"the value is {bytes} bytes; a secret holds at most {MaxValueBytes} bytes (64 KiB)" : null;
    }
}
