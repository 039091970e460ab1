using System.Runtime.CompilerServices;

namespace Cairn.Testing;

/// <summary>A fact that needs the real Claude Code CLI: CAIRN_TEST_CLAUDE_CODE is the path of its <c>claude</c>
/// (<c>npm install --prefix ~/.cache/cairn/claude-code @anthropic-ai/claude-code@2.1.328</c>; .ci/run does).</summary>
public sealed class ClaudeCodeFactAttribute : FactAttribute
{
    public ClaudeCodeFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        if (Program is null)
        {
            Skip = "needs the real Claude Code CLI: set CAIRN_TEST_CLAUDE_CODE to the path of its claude";
        }
    }

    /// <summary>The real <c>claude</c>, or null.</summary>
    public static string? Program =>
        Environment.GetEnvironmentVariable("CAIRN_TEST_CLAUDE_CODE") is { Length: > 0 } path && File.Exists(path) ? path : null;
}
