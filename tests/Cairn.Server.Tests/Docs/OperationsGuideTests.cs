using Cairn.Server.Hosting;

namespace Cairn.Server.Tests.Docs;

/// <summary>The administrator's guide (docs/operations.md) lists every setting of <c>cairn server</c>: a setting added to
/// <see cref="ServerSettings.Names"/> without a row in its table fails here, so the guide cannot fall behind.</summary>
public sealed class OperationsGuideTests
{
    private const string TableHeading = "## Every setting of the server";

    [Fact]
    public void Every_server_setting_has_a_row_with_its_flag_variable_and_key()
    {
        var rows = SettingRows();
        var missing = new List<string>();
        foreach (var (key, variable, option) in ServerSettings.Names)
        {
            var row = rows.FirstOrDefault(r => r.StartsWith($"| `{option}`", StringComparison.Ordinal));
            if (row is null)
            {
                missing.Add($"{option}: no row starts with | `{option}`");
            }
            else if (!row.Contains($"`{variable}`", StringComparison.Ordinal) || !row.Contains($"`{key}`", StringComparison.Ordinal))
            {
                missing.Add($"{option}: its row does not name `{variable}` and `{key}`");
            }
        }

        Assert.True(missing.Count == 0, $"docs/operations.md, table under '{TableHeading}':\n{string.Join('\n', missing)}");
    }

    [Fact]
    public void The_table_names_no_flag_the_server_does_not_have()
    {
        var known = ServerSettings.Names.Select(n => n.Option).Append("--new-admin-token").ToHashSet(StringComparer.Ordinal);
        var unknown = SettingRows()
            .Select(r => r.Split('`', 3) is [_, var flag, _] ? flag : "")
            .Where(flag => !known.Contains(flag))
            .ToList();
        Assert.True(unknown.Count == 0, $"rows for flags cairn server does not take: {string.Join(", ", unknown)}");
    }

    /// <summary>The table's rows (lines that start with <c>| `--</c>) between its heading and the next heading.</summary>
    private static List<string> SettingRows()
    {
        var guide = File.ReadAllLines(Path.Combine(RepositoryRoot(), "docs", "operations.md"));
        var start = Array.IndexOf(guide, TableHeading);
        Assert.True(start >= 0, $"docs/operations.md has no heading '{TableHeading}'");
        return [.. guide.Skip(start + 1)
            .TakeWhile(line => !line.StartsWith('#'))
            .Where(line => line.StartsWith("| `--", StringComparison.Ordinal))];
    }

    private static string RepositoryRoot()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Cairn.slnx")))
        {
            root = root.Parent;
        }

        return root?.FullName ?? throw new InvalidOperationException($"no Cairn.slnx above {AppContext.BaseDirectory}");
    }
}
