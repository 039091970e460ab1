namespace Cairn.Core.Access;

/// <summary>What a person may do, from least to most; each role holds everything the ones below it hold. The numeric
/// order is the order of the roles, so the higher of two roles is their maximum.</summary>
public enum Role
{
    /// <summary>Reads runs, jobs, logs and events of the repositories they may see.</summary>
    Viewer = 0,

    /// <summary>A viewer who also triggers, cancels, reruns and approves runs.</summary>
    Developer = 1,

    /// <summary>A developer who also manages a repository's settings, secrets and members.</summary>
    Maintainer = 2,

    /// <summary>Everything: users, global secrets, workers, the whole audit log.</summary>
    Admin = 3,
}
