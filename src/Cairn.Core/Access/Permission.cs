namespace Cairn.Core.Access;

/// <summary>Every action a rule can ask for; <see cref="RolePermissions"/> says which role each needs.</summary>
public enum Permission
{
    /// <summary>Read a repository's runs, jobs, logs and events.</summary>
    ReadRuns,

    /// <summary>Start a run.</summary>
    Trigger,

    /// <summary>Cancel a run or a job.</summary>
    Cancel,

    /// <summary>Run a run or a job again.</summary>
    Rerun,

    /// <summary>Approve or reject a run that waits for approval.</summary>
    Approve,

    /// <summary>Change a repository's settings.</summary>
    ManageRepositorySettings,

    /// <summary>Set, list or remove a repository's secrets.</summary>
    ManageRepositorySecrets,

    /// <summary>Grant or remove roles on a repository (its members and teams).</summary>
    ManageMembers,

    /// <summary>Add or remove repositories.</summary>
    ManageRepositories,

    /// <summary>Add, list or remove users, and their tokens.</summary>
    ManageUsers,

    /// <summary>Set, list or remove global secrets.</summary>
    ManageGlobalSecrets,

    /// <summary>See and manage workers.</summary>
    ManageWorkers,

    /// <summary>Read every entry of the audit log.</summary>
    ReadAllAudit,
}
