using Cairn.Cli.Commands.Client;

namespace Cairn.Cli.Output;

/// <summary>Secrets as a table: names, scopes, times; there are no values to show.</summary>
internal static class SecretViews
{
    public static string Secrets(IReadOnlyList<SecretView> secrets, DateTimeOffset now, bool color)
    {
        var table = new TextTable("NAME", "SCOPE", "UPDATED");
        foreach (var secret in secrets)
        {
            table.Add(null, secret.Name, secret.Scope ?? "global", ServerViews.Age(secret.UpdatedAt, now));
        }

        return table.Render(color);
    }
}
