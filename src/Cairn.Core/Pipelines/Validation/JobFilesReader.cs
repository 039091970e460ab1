using Cairn.Core.Artifacts;
using Cairn.Core.Pipelines.Expressions;
using Cairn.Core.Pipelines.Grammar;

namespace Cairn.Core.Pipelines.Validation;

/// <summary>Reads a job's <c>artifacts:</c> and <c>cache:</c>: what it keeps of its workspace and which folders it
/// restores and saves by key. No path may leave the workspace (or, for a cache, the steps' home).</summary>
internal sealed class JobFilesReader(ValueReader reader, TemplateChecker expressions)
{
    /// <summary>The most caches one job may have.</summary>
    public const int MaxCaches = 16;

    private Diagnostics Diagnostics => reader.Diagnostics;

    public ArtifactRule? Artifacts(string job, YamlNode node)
    {
        if (reader.Mapping(node, $"'artifacts' of job '{job}' must be a mapping with 'paths', like {{ paths: [dist/**] }}") is not { } mapping)
        {
            return null;
        }

        var keys = reader.Keys(mapping, PipelineSyntax.Artifacts, $"in 'artifacts' of job '{job}'");
        var before = Diagnostics.ErrorCount;
        var paths = keys.TryGetValue("paths", out var p) ? ArtifactPaths(job, p.Value) : Missing<List<string>>(mapping, $"'artifacts' of job '{job}' has no 'paths'; give the globs to keep, like paths: [dist/**]");
        var expireIn = keys.TryGetValue("expire-in", out var e) ? reader.Duration(e.Value, "expire-in") : null;
        var when = keys.TryGetValue("when", out var w) ? When(w.Value) : ArtifactWhen.OnSuccess;
        return Diagnostics.ErrorCount == before && paths is not null ? new ArtifactRule(paths, when, expireIn) : null;
    }

    public List<CacheRule> Caches(string job, YamlNode node, ExpressionScope scope)
    {
        var items = node switch
        {
            YamlMapping one => [one],
            YamlSequence { Items.Count: > 0 } list => list.Items,
            YamlSequence empty => Refuse(empty, $"'cache' of job '{job}' is empty; remove it or give a cache like {{ key: deps, paths: [node_modules] }}"),
            _ => Refuse(node, $"'cache' of job '{job}' must be a cache or a list of them, like {{ key: deps, paths: [node_modules] }}"),
        };
        if (items.Count > MaxCaches)
        {
            Diagnostics.Error(items[MaxCaches], $"job '{job}' has {items.Count} caches; at most {MaxCaches} are allowed");
        }

        var caches = new List<CacheRule>();
        var keysSeen = new Dictionary<string, YamlScalar>(StringComparer.Ordinal);
        foreach (var item in items.Take(MaxCaches))
        {
            if (Cache(job, item, scope, keysSeen) is { } cache)
            {
                caches.Add(cache);
            }
        }

        return caches;
    }

    private CacheRule? Cache(string job, YamlNode node, ExpressionScope scope, Dictionary<string, YamlScalar> keysSeen)
    {
        if (reader.Mapping(node, $"a cache of job '{job}' must be a mapping with 'key' and 'paths', like {{ key: deps, paths: [node_modules] }}") is not { } mapping)
        {
            return null;
        }

        var keys = reader.Keys(mapping, PipelineSyntax.Cache, $"in a cache of job '{job}'");
        var before = Diagnostics.ErrorCount;
        var key = keys.TryGetValue("key", out var k) ? Key(job, k.Value, scope, keysSeen) : Missing<string>(mapping, $"a cache of job '{job}' has no 'key'; give one, like key: nuget-${{{{ hashFiles('**/packages.lock.json') }}}}");
        var paths = keys.TryGetValue("paths", out var p) ? CachePaths(job, p.Value) : Missing<List<string>>(mapping, $"a cache of job '{job}' has no 'paths'; give the folders to keep, like paths: [~/.nuget/packages]");
        var restoreKeys = keys.TryGetValue("restore-keys", out var r) ? RestoreKeys(r.Value, scope) : [];
        return Diagnostics.ErrorCount == before && key is not null && paths is not null ? new CacheRule(key, paths, restoreKeys) : null;
    }

    private string? Key(string job, YamlNode node, ExpressionScope scope, Dictionary<string, YamlScalar> keysSeen)
    {
        var key = reader.Text(node, "a cache's 'key' must be a string");
        if (node is not YamlScalar scalar)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(key))
        {
            Diagnostics.Error(node, $"a cache's 'key' in job '{job}' is empty; give one, like key: nuget-${{{{ hashFiles('**/packages.lock.json') }}}}");
            return null;
        }

        if (keysSeen.TryGetValue(key, out var first))
        {
            Diagnostics.Error(node, $"cache key '{key}' is given twice in job '{job}' (first at {first.Line}:{first.Column}); each cache needs its own key");
        }
        else
        {
            keysSeen[key] = scalar;
        }

        if (!key.Contains("${{", StringComparison.Ordinal) && key.Length > CacheKeys.MaxLength)
        {
            Diagnostics.Error(node, $"a cache's 'key' is {key.Length} characters long; at most {CacheKeys.MaxLength} are allowed");
        }

        expressions.CheckTemplate(scalar, scope);
        return key;
    }

    private List<string> RestoreKeys(YamlNode node, ExpressionScope scope)
    {
        var keys = reader.TextList(node, "'restore-keys' must be a list of key prefixes, like [nuget-]") ?? [];
        foreach (var key in keys)
        {
            if (key.Value.Trim().Length == 0)
            {
                Diagnostics.Error(key, "a restore key cannot be empty: it would restore any cache of the repository");
            }

            expressions.CheckTemplate(key, scope);
        }

        return [.. keys.Select(k => k.Value)];
    }

    private List<string>? ArtifactPaths(string job, YamlNode node)
    {
        var paths = NonEmptyList(node, "'artifacts.paths' must be a list of globs relative to the workspace, like [dist/**, coverage.xml]",
            $"'artifacts.paths' of job '{job}' is empty; give at least one glob, like [dist/**]");
        if (paths is null)
        {
            return null;
        }

        foreach (var path in paths)
        {
            if (WorkspacePaths.GlobProblem(path.Value) is { } problem)
            {
                Diagnostics.Error(path, $"artifact path '{path.Value}' {problem}");
            }
        }

        var values = paths.Select(p => p.Value).ToList();
        if (Glob.ListProblem(values) is { } listProblem)
        {
            Diagnostics.Error(node, $"'artifacts.paths' {listProblem}");
        }

        return values;
    }

    private List<string>? CachePaths(string job, YamlNode node)
    {
        var paths = NonEmptyList(node, "a cache's 'paths' must be a list of folders, like [~/.nuget/packages, node_modules]",
            $"a cache's 'paths' in job '{job}' is empty; give at least one folder, like [node_modules]");
        if (paths is null)
        {
            return null;
        }

        foreach (var path in paths)
        {
            if (WorkspacePaths.CachePathProblem(path.Value) is { } problem)
            {
                Diagnostics.Error(path, $"cache path '{path.Value}' {problem}");
            }
        }

        return [.. paths.Select(p => p.Value)];
    }

    private List<YamlScalar>? NonEmptyList(YamlNode node, string shape, string empty)
    {
        switch (node)
        {
            case YamlScalar { IsNull: true } or YamlSequence { Items.Count: 0 }:
                Diagnostics.Error(node, empty);
                return null;
            case YamlScalar scalar:
                return [scalar];
            default:
                return reader.TextList(node, shape);
        }
    }

    private ArtifactWhen When(YamlNode node)
    {
        var text = reader.Text(node, $"'when' must be one of: {string.Join(", ", ArtifactWhenNames.All)}");
        if (ArtifactWhenNames.TryParse(text, out var when))
        {
            return when;
        }

        if (node is YamlScalar)
        {
            Diagnostics.Error(node, text is null
                ? $"'when' is empty; give one of: {string.Join(", ", ArtifactWhenNames.All)}"
                : $"unknown 'when' value '{text}'{ValueReader.DidYouMean(text, ArtifactWhenNames.All, listAll: true)}");
        }

        return ArtifactWhen.OnSuccess;
    }

    private T? Missing<T>(YamlMapping mapping, string message)
        where T : class
    {
        Diagnostics.Error(mapping, message);
        return null;
    }

    private IReadOnlyList<YamlNode> Refuse(YamlNode node, string message)
    {
        Diagnostics.Error(node, message);
        return [];
    }
}
