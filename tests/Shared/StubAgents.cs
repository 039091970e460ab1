using System.Diagnostics;

namespace Cairn.Testing;

/// <summary>The stub agent CLI (<c>tests/Cairn.StubAgent</c>, <c>cairn-stub-agent</c>) for the tests: built once when the
/// solution's build did not, and put on PATH as <c>claude</c>, <c>codex</c>, <c>gemini</c> and <c>aider</c> by
/// <see cref="CreateBin"/>. Each wrapper runs the stub with its CLI's name and the scenario in <c>.cairn-stub.json</c>
/// beside it (unless CAIRN_STUB_SCENARIO says otherwise), so a scrubbed environment still plays it; sessions go under
/// the HOME the CLI is given, as the real ones do.</summary>
public static class StubAgents
{
    public static IReadOnlyList<string> Names { get; } = ["claude", "codex", "gemini", "aider"];

    private static readonly Lazy<string> Built = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The stub's assembly, built on first use if it is not there yet.</summary>
    public static string Assembly => Built.Value;

    /// <summary>The dotnet host that runs the stub.</summary>
    public static string Dotnet =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Select(folder => Path.Combine(folder, "dotnet"))
                .FirstOrDefault(File.Exists) ?? "/usr/share/dotnet/dotnet";

    /// <summary>Makes <paramref name="folder"/> a bin folder of the four wrappers, with <paramref name="scenario"/> (JSON,
    /// see the stub's <c>Scenario</c>) as what they play; returns the folder.</summary>
    public static string CreateBin(string folder, string? scenario = null)
    {
        Directory.CreateDirectory(folder);
        foreach (var name in Names)
        {
            var wrapper = Path.Combine(folder, name);
            File.WriteAllText(wrapper,
                $"#!/bin/sh\nscenario={Quote(Path.Combine(folder, ".cairn-stub.json"))}\nCAIRN_STUB_SCENARIO=\"${{CAIRN_STUB_SCENARIO:-$scenario}}\" exec {Quote(Dotnet)} {Quote(Assembly)} {name} \"$@\"\n");
            if (OperatingSystem.IsWindows())
            {
                throw new PlatformNotSupportedException("the stub agents' wrappers are shell scripts");
            }

            File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        if (scenario is not null)
        {
            WriteScenario(folder, scenario);
        }

        return folder;
    }

    /// <summary>Replaces what the wrappers in <paramref name="bin"/> play from their next start on.</summary>
    public static void WriteScenario(string bin, string scenario) => File.WriteAllText(Path.Combine(bin, ".cairn-stub.json"), scenario);

    /// <summary>The lines of <c>$HOME/.cairn-stub/invocations.jsonl</c> under <paramref name="home"/>: one per start.</summary>
    public static IReadOnlyList<string> Invocations(string home)
    {
        var path = Path.Combine(home, ".cairn-stub", "invocations.jsonl");
        return File.Exists(path) ? File.ReadAllLines(path) : [];
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string Build()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Cairn.slnx")))
        {
            root = root.Parent;
        }

        if (root is null)
        {
            throw new InvalidOperationException($"no Cairn.slnx above {AppContext.BaseDirectory}");
        }

        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var project = Path.Combine(root.FullName, "tests", "Cairn.StubAgent");
        var assembly = Path.Combine(project, "bin", configuration, "net10.0", "cairn-stub-agent.dll");
        if (File.Exists(assembly))
        {
            return assembly;
        }

        var start = new ProcessStartInfo(Dotnet) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "build", project, "-c", configuration, "-nologo", "-v", "q" })
        {
            start.ArgumentList.Add(arg);
        }

        using var build = Process.Start(start)!;
        var output = build.StandardOutput.ReadToEndAsync();
        var errors = build.StandardError.ReadToEnd();
        build.WaitForExit();
        return build.ExitCode == 0 && File.Exists(assembly)
            ? assembly
            : throw new InvalidOperationException($"building the stub agent failed: {output.Result}{errors}");
    }
}
