namespace Cairn.Core.Pipelines;

/// <summary>What a publish job assumes when <c>publish:</c> does not say.</summary>
public static class PublishDefaults
{
    /// <summary>The paths a published change may not touch unless <c>protected-paths</c> says otherwise: Cairn's own
    /// pipeline, every other CI system's files, and the agents' configuration files — a change to any of them runs code
    /// somewhere with more rights than the agent had.</summary>
    public static IReadOnlyList<string> ProtectedPaths { get; } =
    [
        ".cairn.yml",
        ".cairn/**",
        ".github/workflows/**",
        ".gitlab-ci.yml",
        ".gitea/workflows/**",
        ".forgejo/workflows/**",
        ".woodpecker.yml",
        ".woodpecker/**",
        ".drone.yml",
        "bitbucket-pipelines.yml",
        "Jenkinsfile",
        ".circleci/**",
        ".buildkite/**",
        ".claude/**",
        ".mcp.json",
        "CLAUDE.md",
        "AGENTS.md",
        ".codex/**",
        ".gemini/**",
        "GEMINI.md",
        ".aider.conf.yml",
        ".aiderignore",
        ".travis.yml",
        "azure-pipelines.yml",
    ];

    /// <summary>How long an approval gate waits when <c>approval.timeout</c> is not written.</summary>
    public static TimeSpan ApprovalTimeout { get; } = TimeSpan.FromHours(72);
}
