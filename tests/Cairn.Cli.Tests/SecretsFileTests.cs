using Cairn.Cli.Commands;

namespace Cairn.Cli.Tests;

/// <summary><c>cairn run --secrets-file</c>: dotenv files read as people write them, with errors that say where.</summary>
public sealed class SecretsFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public void Parse_ReadsKeysValuesQuotesEscapesAndComments()
    {
        var errors = new List<string>();

        var values = DotenvFile.Parse(
            """
            # deployment secrets
            PLAIN=value
            export EXPORTED=from-a-shell
              SPACED = around the equals   # and a comment
            HASH=a#b
            SINGLE='kept as $written\n # too'
            DOUBLE="line one\nline \"two\"\tend\\" # comment
            EMPTY=
            EMPTY_QUOTED=""
            PLAIN=again

            """.Replace("\n", "\r\n", StringComparison.Ordinal),
            "prod.env",
            errors);

        Assert.Empty(errors);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["PLAIN"] = "again",
                ["EXPORTED"] = "from-a-shell",
                ["SPACED"] = "around the equals",
                ["HASH"] = "a#b",
                ["SINGLE"] = "kept as $written\\n # too",
                ["DOUBLE"] = "line one\nline \"two\"\tend\\",
                ["EMPTY"] = "",
                ["EMPTY_QUOTED"] = "",
            },
            values);
    }

    [Fact]
    public void Parse_SaysWhichLineIsWrong_AndNeverShowsAValue()
    {
        var errors = new List<string>();

        DotenvFile.Parse(
            """
            GOOD=1
            just-a-token-pasted-here
            9BAD=x
            OPEN="never-closed-value
            SINGLE='never-closed-either
            AFTER="quoted"trailing-value
            =nameless
            """,
            "ci.env",
            errors);

        Assert.Equal(
            [
                "ci.env:2: the line is neither KEY=VALUE nor a # comment",
                "ci.env:3: '9BAD' is not a valid secret name; use letters, digits and _, not starting with a digit",
                "ci.env:4: the value of OPEN opens a double quote and never closes it",
                "ci.env:5: the value of SINGLE opens a single quote and never closes it",
                "ci.env:6: the value of AFTER goes on after its closing quote",
                "ci.env:7: a secret needs a name",
            ],
            errors);
        Assert.DoesNotContain(errors, e => e.Contains("pasted", StringComparison.Ordinal) || e.Contains("never-closed", StringComparison.Ordinal) || e.Contains("trailing", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_WithASecretsFile_GivesItsSecretsMasked_AndSecretOverridesIt()
    {
        _dir.WriteFile(".cairn.yml", """
            jobs:
              publish:
                secrets: [TOKEN, OTHER]
                steps:
                  - run: |
                      echo "token is $TOKEN"
                      test "$TOKEN" = "from the file" && echo "token arrived intact"
                      test "$OTHER" = given && echo "other overridden"
            """);
        _dir.WriteFile("secrets.env", "TOKEN=\"from the file\"\nOTHER=from-file-other\n");

        var result = await CairnProcess.RunAsync(_dir.Path, "run", "--secrets-file", "secrets.env", "--secret", "OTHER=given");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("from the file", result.Stdout + result.Stderr, StringComparison.Ordinal);
        var publish = CairnOutput.LinesOf(result.Stdout, "publish");
        Assert.Contains("token is ***", publish);
        Assert.Contains("token arrived intact", publish);
        Assert.Contains("other overridden", publish);
    }

    [Fact]
    public async Task Run_WithABadOrMissingSecretsFile_IsAUsageError_AndRunsNothing()
    {
        _dir.WriteFile(".cairn.yml", "jobs:\n  a:\n    steps: [{ run: touch ran }]\n");
        _dir.WriteFile("bad.env", "# fine\nOK=1\nnot a line\n");

        var bad = await CairnProcess.RunAsync(_dir.Path, "run", "--secrets-file", "bad.env");
        var missing = await CairnProcess.RunAsync(_dir.Path, "run", "--secrets-file", "nope.env");

        Assert.True(bad.ExitCode == 2, bad.ToString());
        Assert.Equal("error: bad.env:3: the line is neither KEY=VALUE nor a # comment", bad.Stderr.Trim());
        Assert.True(missing.ExitCode == 2, missing.ToString());
        Assert.StartsWith("error: cannot read secrets from nope.env:", missing.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_dir.Combine("ran")));
    }

    public void Dispose() => _dir.Dispose();
}
