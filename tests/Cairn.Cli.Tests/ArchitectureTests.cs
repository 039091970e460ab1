using System.Reflection;
using System.Xml.Linq;

namespace Cairn.Cli.Tests;

/// <summary>
/// The project graph, locked: references point one way (Cli → Server → {Storage, Git, Executors, Forges} → Core; Cli →
/// Workers → {Git, Core}), Core
/// uses only the packages a domain needs, and a project declares every project whose code it uses instead of reaching it
/// through another's references. Read from the project files and from the built assemblies' own references, so neither a
/// new ProjectReference nor a type reached transitively slips past.
/// </summary>
public sealed class ArchitectureTests
{
    /// <summary>Which of the solution's projects each one may reference.</summary>
    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        ["Cairn.Core"] = [],
        ["Cairn.Storage"] = ["Cairn.Core"],
        ["Cairn.Git"] = ["Cairn.Core"],
        ["Cairn.Executors"] = ["Cairn.Core"],
        ["Cairn.Forges"] = ["Cairn.Core"],
        ["Cairn.Server"] = ["Cairn.Core", "Cairn.Storage", "Cairn.Git", "Cairn.Executors", "Cairn.Forges"],
        ["Cairn.Workers"] = ["Cairn.Core", "Cairn.Git"],
        ["Cairn.Cli"] = ["Cairn.Core", "Cairn.Storage", "Cairn.Git", "Cairn.Executors", "Cairn.Forges", "Cairn.Server", "Cairn.Workers"],
    };

    /// <summary>The packages the domain may use: abstractions, the YAML reader and the cron library.</summary>
    private static readonly string[] CorePackagePrefixes = ["Microsoft.Extensions.", "YamlDotNet", "Cronos"];

    [Fact]
    public void EverySourceProject_IsKnownToTheGraph()
    {
        Assert.Equal(Allowed.Keys.Order(StringComparer.Ordinal), SourceProjects().Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ProjectReferences_PointOneWay()
    {
        var wrong = SourceProjects()
            .SelectMany(p => ProjectReferences(p.Value).Where(r => !Allowed[p.Key].Contains(r)).Select(r => $"{p.Key} → {r}"))
            .ToList();

        Assert.True(wrong.Count == 0, "forbidden project references: " + string.Join(", ", wrong));
    }

    [Fact]
    public void BuiltAssemblies_UseOnlyWhatTheirProjectsDeclare()
    {
        var wrong = new List<string>();
        foreach (var (name, file) in SourceProjects())
        {
            var declared = ProjectReferences(file).ToHashSet(StringComparer.Ordinal);
            var used = Load(name).GetReferencedAssemblies()
                .Select(a => a.Name!)
                .Where(a => Allowed.ContainsKey(a));
            wrong.AddRange(used.Where(u => !declared.Contains(u)).Select(u => $"{name} uses {u} without declaring it"));
        }

        Assert.True(wrong.Count == 0, string.Join("; ", wrong));
    }

    [Fact]
    public void Core_UsesOnlyTheDomainsPackages()
    {
        var core = SourceProjects()["Cairn.Core"];
        var packages = Items(core, "PackageReference").ToList();
        Assert.NotEmpty(packages);
        Assert.All(packages, p => Assert.True(
            CorePackagePrefixes.Any(prefix => p.StartsWith(prefix, StringComparison.Ordinal))
                && (!p.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal) || p.EndsWith(".Abstractions", StringComparison.Ordinal)),
            $"Cairn.Core may not use the package {p}"));
        Assert.Empty(Items(core, "FrameworkReference"));

        var foreign = Load("Cairn.Core").GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(a => !a.StartsWith("System", StringComparison.Ordinal) && a != "netstandard"
                && !CorePackagePrefixes.Any(prefix => a.StartsWith(prefix, StringComparison.Ordinal)))
            .ToList();
        Assert.True(foreign.Count == 0, "Cairn.Core uses " + string.Join(", ", foreign));
    }

    [Theory]
    [InlineData("Cairn.Executors", "Cairn.Storage")]
    [InlineData("Cairn.Forges", "Cairn.Storage")]
    [InlineData("Cairn.Git", "Cairn.Storage")]
    [InlineData("Cairn.Storage", "Cairn.Executors")]
    public void NamedForbiddenEdges_AreAbsent(string from, string to)
    {
        Assert.DoesNotContain(to, ProjectReferences(SourceProjects()[from]));
        Assert.DoesNotContain(Load(from).GetReferencedAssemblies(), a => a.Name == to);
    }

    private static Assembly Load(string name) => Assembly.Load(new AssemblyName(name == "Cairn.Cli" ? "cairn" : name));

    private static Dictionary<string, string> SourceProjects() =>
        Directory.GetDirectories(Path.Combine(RepositoryRoot(), "src"))
            .Select(d => Path.Combine(d, Path.GetFileName(d) + ".csproj"))
            .Where(File.Exists)
            .ToDictionary(f => Path.GetFileNameWithoutExtension(f), StringComparer.Ordinal);

    private static IEnumerable<string> ProjectReferences(string csproj) =>
        Items(csproj, "ProjectReference").Select(p => Path.GetFileNameWithoutExtension(p.Replace('\\', '/')));

    private static IEnumerable<string> Items(string csproj, string kind) =>
        XDocument.Load(csproj).Descendants(kind).Select(e => (string?)e.Attribute("Include")).OfType<string>();

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Cairn.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Cairn.slnx not found above " + AppContext.BaseDirectory);
    }
}
