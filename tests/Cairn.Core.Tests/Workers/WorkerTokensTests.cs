using Cairn.Core.Access;
using Cairn.Core.Workers;

namespace Cairn.Core.Tests.Workers;

public sealed class WorkerTokensTests
{
    [Fact]
    public void ANewToken_ParsesIntoItsIdAndASecretMatchingItsHash_AndIsNeverAUsersToken()
    {
        var (value, id, hash) = WorkerTokens.Create();
        var worker = new WorkerRecord(1, "build-1", [], id, hash, false, DateTimeOffset.UnixEpoch, "admin");

        Assert.StartsWith("cairnw_", value, StringComparison.Ordinal);
        Assert.True(WorkerTokens.TryParse(value, out var parsedId, out var secret));
        Assert.Equal(id, parsedId);
        Assert.True(WorkerTokens.Matches(secret, worker));
        Assert.False(WorkerTokens.Matches(secret[..^1] + (secret[^1] == 'a' ? 'b' : 'a'), worker));
        Assert.False(ApiTokens.TryParse(value, out _, out _));
        Assert.NotEqual(value, WorkerTokens.Create().Value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("cairn_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcd")]
    [InlineData("cairnw_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabc")]
    [InlineData("cairnw_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZab-d")]
    public void AnythingButAWorkerTokensShape_DoesNotParse(string? value) =>
        Assert.False(WorkerTokens.TryParse(value, out _, out _));

    [Theory]
    [InlineData("build-1", null)]
    [InlineData("a", null)]
    [InlineData("gpu.big_2", null)]
    [InlineData("", "a worker needs a name")]
    [InlineData("Build", "'Build' must start with a lower-case letter or a digit")]
    [InlineData("-x", "'-x' must start with a lower-case letter or a digit")]
    [InlineData("a/b", "'a/b' may hold only lower-case letters, digits, '.', '_' and '-'")]
    public void Names_AreLowerCaseWordsWithoutASlash(string name, string? problem) =>
        Assert.Equal(problem, WorkerNames.Problem(name));

    [Fact]
    public void ALeaseOwner_NamesItsWorker_AndOtherOwnersNameNone()
    {
        var owner = WorkerNames.LeaseOwner("build-1", "AbC123", 2);

        Assert.Equal("build-1/AbC123/2", owner);
        Assert.Equal("build-1", WorkerNames.OwnerName(owner));
        Assert.Null(WorkerNames.OwnerName("host-1234-2"));
        Assert.Null(WorkerNames.OwnerName(null));
    }
}
