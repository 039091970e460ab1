using System.Text;
using Cairn.Core.Logs;
using Cairn.Core.Runs;
using Cairn.Core.Tests.LogMasking;
using Cairn.Executors.Shell;

namespace Cairn.Core.Tests.Engine;

/// <summary>Real steps in a real shell, their log read back from the store.</summary>
public sealed class LogMaskingEngineTests
{
    // Long enough for base64 to wrap at 76 columns; a quote, a slash, a plus and a space for the encoders.
    private const string Secret = "Zx9 \"pa$$\"/w0rd+0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOP";

    private static ShellExecutor Shell() => new(new ShellExecutorOptions(), TimeProvider.System);

    [Fact]
    public async Task SecretPrintedInPieces_Encoded_OrAcrossA64KiBCut_IsNotInTheStoredLog()
    {
        const string yaml = """
            jobs:
              leaky:
                secrets: [S]
                steps:
                  - run: |
                      urlencode() {
                        local s=$1 out= c i
                        for ((i = 0; i < ${#s}; i++)); do
                          c=${s:i:1}
                          case $c in
                            [A-Za-z0-9._~-]) out+=$c ;;
                            ' ') out+=+ ;;
                            *) printf -v c '%%%02X' "'$c"; out+=$c ;;
                          esac
                        done
                        printf '%s\n' "$out"
                      }
                      printf 'in pieces: %s' "${S:0:9}"; sleep 0.2; printf '%s done\n' "${S:9}"
                      printf '%s' "$S" | base64
                      printf 'x%s' "$S" | base64 -w0; echo
                      printf 'xy%s' "$S" | base64 -w0 | tr '+/' '-_' | tr -d '='; echo
                      urlencode "$S"
                      printf '{"token":"%s"}\n' "${S//\"/\\\"}"
                      head -c 65530 /dev/zero | tr '\0' x; printf '%s and on\n' "$S"
                      echo "plain line"
            """;
        await using var engine = await EngineHarness.CreateAsync();

        var (run, jobs) = await engine.RunAsync(yaml, Shell(), secrets: new Dictionary<string, string> { ["S"] = Secret });

        Assert.Equal(RunStatus.Succeeded, run.Status);
        var stored = await engine.Store.ReadLogAsync(jobs["leaky"].Id, 0, 1000, CancellationToken.None);
        var output = stored.Where(l => l.Stream == LogStream.Stdout).Select(l => l.Text).ToList();
        Assert.Equal("in pieces: *** done", output[0]);
        Assert.Equal(["***", "***"], output[1..3]);
        Assert.Equal("{\"token\":\"***\"}", output[6]);
        Assert.Equal("plain line", output[^1]);
        Assert.All(output, l => Assert.True(Encoding.UTF8.GetByteCount(l) <= LogLine.MaxTextBytes));
        Assert.Null(Leaks.Find(string.Join("\n", output), Secret));
        Assert.Null(Leaks.Find(string.Concat(output), Secret));
        Assert.DoesNotContain(engine.Observer.LinesOf("leaky"), l => Leaks.Find(l, Secret) is not null);
    }

    [Fact]
    public async Task NulAndInvalidUtf8_AreStoredAsReplacementCharacters()
    {
        const string yaml = """
            jobs:
              binary:
                steps:
                  - run: printf 'a\0b\377c\n'; head -c 3000 /dev/urandom; echo; echo after
            """;
        await using var engine = await EngineHarness.CreateAsync();

        var (run, jobs) = await engine.RunAsync(yaml, Shell());

        Assert.Equal(RunStatus.Succeeded, run.Status);
        var stored = await engine.Store.ReadLogAsync(jobs["binary"].Id, 0, 1000, CancellationToken.None);
        Assert.Equal("a\uFFFDb\uFFFDc", stored[0].Text);
        Assert.Equal("after", stored[^1].Text);
        Assert.All(stored, l => Assert.DoesNotContain('\0', l.Text));
        Assert.All(stored, l => Assert.Equal(l.Text, Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(l.Text))));
    }

    [Fact]
    public async Task OutputPastTheLogCap_IsDropped_AndTheJobRunsOn()
    {
        const string yaml = """
            jobs:
              chatty:
                steps:
                  - run: seq 1 100000; echo "last of step one"
                  - run: echo "step two ran" > step-two.txt; echo "step two"
            """;
        await using var engine = await EngineHarness.CreateAsync();

        var (run, jobs) = await engine.RunAsync(yaml, Shell(), maxLogBytes: 4096);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.True(File.Exists(Path.Combine(engine.Workspace, "step-two.txt")));
        var stored = await engine.Store.ReadLogAsync(jobs["chatty"].Id, 0, 100_000, CancellationToken.None);
        var marker = Assert.Single(stored, l => l.Text.StartsWith("log truncated", StringComparison.Ordinal));
        Assert.Equal((LogStream.System, "log truncated at 4 KiB: the rest of this job's output was dropped"), (marker.Stream, marker.Text));
        Assert.True(stored.Where(l => l.Stream != LogStream.System).Sum(l => Encoding.UTF8.GetByteCount(l.Text)) <= 4096);
        Assert.DoesNotContain(stored, l => l.Text is "last of step one" or "step two");
        Assert.Equal(marker.Sequence, stored.Where(l => l.Stream == LogStream.Stdout).Max(l => l.Sequence) + 1);
    }
}
