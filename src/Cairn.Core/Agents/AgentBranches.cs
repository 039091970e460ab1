using System.Globalization;
using System.Text;

namespace Cairn.Core.Agents;

/// <summary>The branch an agent job works on: <c>cairn/RUN-JOB</c>, the job's name made safe for a ref
/// (<c>implement (linux)</c> → <c>cairn/12-implement-linux</c>). Only branches under <see cref="Prefix"/> are ever pushed.</summary>
public static class AgentBranches
{
    public const string Prefix = "cairn/";

    public static string For(long runId, string jobName)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobName);
        var slug = new StringBuilder(jobName.Length);
        foreach (var c in jobName.ToLowerInvariant())
        {
            if (c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '_')
            {
                slug.Append(c);
            }
            else if (slug.Length > 0 && slug[^1] != '-')
            {
                slug.Append('-');
            }
        }

        var name = slug.ToString().Trim('-', '.');
        return string.Create(CultureInfo.InvariantCulture, $"{Prefix}{runId}-{(name.Length == 0 ? "job" : name)}");
    }

    public static bool IsAgentBranch(string branch) =>
        branch.StartsWith(Prefix, StringComparison.Ordinal) && branch.Length > Prefix.Length && !branch.Contains("..", StringComparison.Ordinal);
}
