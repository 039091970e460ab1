using System.Text.RegularExpressions;
using Cairn.Server.Hosting;

namespace Cairn.Cli.Tests.Deploy;

/// <summary>deploy/docker/Dockerfile keeps up with the code: it restores every project it publishes, starts the server
/// with flags the server knows, runs as the image's own user, and names no registry.</summary>
public sealed partial class DockerfileTests
{
    private static readonly string Dockerfile = File.ReadAllText(Path.Combine(BuildLayout.RepositoryRoot, "deploy", "docker", "Dockerfile"));

    [Fact]
    public void EverySourceProject_IsCopiedBeforeTheRestore()
    {
        var restore = Dockerfile.IndexOf("RUN dotnet restore", StringComparison.Ordinal);
        Assert.True(restore > 0);
        var projects = Directory.GetFiles(Path.Combine(BuildLayout.RepositoryRoot, "src"), "*.csproj", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(BuildLayout.RepositoryRoot, p).Replace('\\', '/'))
            .ToList();
        Assert.NotEmpty(projects);
        foreach (var project in projects)
        {
            var copy = Dockerfile.IndexOf($"COPY {project} ", StringComparison.Ordinal);
            Assert.True(copy > 0 && copy < restore, $"the Dockerfile does not copy {project} before its restore");
        }
    }

    [Fact]
    public void TheDefaultCommand_UsesFlagsTheServerKnows()
    {
        var command = Regex.Match(Dockerfile, @"^CMD \[(?<args>.*)\]$", RegexOptions.Multiline).Groups["args"].Value;
        var args = Quoted().Matches(command).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal("server", args[0]);
        var flags = args.Where(a => a.StartsWith("--", StringComparison.Ordinal)).ToList();
        Assert.Equal(["--urls", "--data"], flags);
        Assert.All(flags, f => Assert.Contains(ServerSettings.Names, n => n.Option == f));
    }

    [Fact]
    public void TheImage_RunsAsUid10001_WithCairnAsItsEntrypoint()
    {
        Assert.Matches(@"(?m)^USER 10001:10001$", Dockerfile);
        Assert.Matches(@"(?m)^ENTRYPOINT \[""/usr/bin/tini"", ""--"", ""cairn""\]$", Dockerfile);
        Assert.Matches(@"(?m)^VOLUME \[""/var/lib/cairn""\]$", Dockerfile);
    }

    [Fact]
    public void TheBuildArguments_NameNoRegistryHost()
    {
        foreach (Match arg in Regex.Matches(Dockerfile, @"(?m)^ARG (?<name>[A-Z_]+)(=(?<value>\S*))?$"))
        {
            var value = arg.Groups["value"].Value;
            var first = value.Split('/')[0];
            Assert.False(value.Contains('/', StringComparison.Ordinal) && (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal)), $"{arg.Value} names a registry host");
        }

        Assert.Matches(@"(?m)^ARG BASE_IMAGE=debian:bookworm-slim$", Dockerfile);
    }

    [GeneratedRegex("\"([^\"]*)\"")]
    private static partial Regex Quoted();
}
