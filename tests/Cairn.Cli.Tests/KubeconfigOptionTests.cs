namespace Cairn.Cli.Tests;

/// <summary><c>--kubeconfig</c> on <c>cairn server</c> and both kinds of <c>cairn worker</c>: a file that is not there
/// stops the process at start, naming it.</summary>
public sealed class KubeconfigOptionTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Dictionary<string, string?> Clean() => new() { ["CAIRN_CONNECTION"] = null, ["CAIRN_STORE"] = null, ["KUBECONFIG"] = null };

    [Fact]
    public async Task Server_WithAKubeconfigThatIsNotThere_IsAUsageErrorNamingIt()
    {
        var result = await CairnProcess.RunAsync(_dir.Path, Clean(), "server", "--data", "data", "--kubeconfig", "/nonexistent/kubeconfig");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("--kubeconfig / CAIRN_KUBECONFIG / Cairn:Kubeconfig: there is no kubeconfig file /nonexistent/kubeconfig", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--connection", "cairn.db")]
    [InlineData("--server", "http://127.0.0.1:9", "--token-file", "w.token")]
    public async Task Worker_WithAKubeconfigThatIsNotThere_IsAUsageErrorNamingIt(params string[] where)
    {
        _dir.WriteFile("w.token", "cairnw_x\n");

        var result = await CairnProcess.RunAsync(_dir.Path, Clean(), ["worker", .. where, "--kubeconfig", "/nonexistent/kubeconfig"]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("error: --kubeconfig: there is no kubeconfig file /nonexistent/kubeconfig", result.Stderr, StringComparison.Ordinal);
    }
}
