namespace Cairn.Server.Tests.LogViewer;

/// <summary>The browser tests run by themselves, after the rest of the server's tests: a 100,000-line log in Chromium
/// beside a dozen servers running jobs leaves each too little of a 2-core machine to answer in time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserCollection
{
    public const string Name = "browser";
}
