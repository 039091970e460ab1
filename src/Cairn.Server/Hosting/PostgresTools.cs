using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Cairn.Server.Hosting;

/// <summary>Finding and running PostgreSQL's own client programs (<c>pg_dump</c>, <c>pg_restore</c>).</summary>
internal static class PostgresTools
{
    public static string Find(string name, string? given)
    {
        if (given is not null)
        {
            return File.Exists(given) ? Path.GetFullPath(given) : throw new BackupException($"there is no {name} at {given}");
        }

        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new BackupException($"{name} was not found on PATH: install PostgreSQL's client programs (Debian: postgresql-client, of the server's major version or newer) or give --{name} PATH");
    }

    /// <summary>Runs <paramref name="program"/> on the database of <paramref name="connection"/>, given to it as
    /// <c>PG*</c> variables; throws with what it printed when it fails.</summary>
    public static async Task RunAsync(string program, string connection, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var settings = new NpgsqlConnectionStringBuilder(connection);
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        void Set(string variable, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                start.Environment[variable] = value;
            }
        }

        Set("PGHOST", settings.Host);
        Set("PGPORT", settings.Port.ToString(CultureInfo.InvariantCulture));
        Set("PGUSER", settings.Username);
        Set("PGPASSWORD", settings.Password);
        Set("PGDATABASE", settings.Database);
        Set("PGSSLMODE", settings.SslMode switch
        {
            SslMode.Disable => "disable",
            SslMode.Require => "require",
            SslMode.VerifyCA => "verify-ca",
            SslMode.VerifyFull => "verify-full",
            _ => null,
        });
        using var process = Process.Start(start) ?? throw new BackupException($"{program} could not be started");
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var said = ((await errors) + (await output)).Trim();
        if (process.ExitCode != 0)
        {
            throw new BackupException($"{Path.GetFileName(program)} failed (exit {process.ExitCode}): {said}");
        }
    }
}
