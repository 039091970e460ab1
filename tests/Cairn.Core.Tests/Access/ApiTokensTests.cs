using Cairn.Core.Access;

namespace Cairn.Core.Tests.Access;

public sealed class ApiTokensTests
{
    private static readonly DateTimeOffset At = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Fact]
    public void A_token_is_the_prefix_and_forty_base62_characters_holding_its_id()
    {
        var (value, token) = ApiTokens.Create(7, "deploy", TokenScope.Trigger, At, TimeSpan.FromDays(30));

        Assert.Matches("^cairn_[0-9A-Za-z]{40}$", value);
        Assert.True(ApiTokens.TryParse(value, out var id, out var secret));
        Assert.Equal(token.Id, id);
        Assert.Equal(ApiTokens.IdLength, id.Length);
        Assert.Equal(ApiTokens.Hash(secret), token.Hash);
        Assert.DoesNotContain(secret, Convert.ToHexString(token.Hash), StringComparison.OrdinalIgnoreCase);
        Assert.Equal((7L, "deploy", TokenScope.Trigger, At, At.AddDays(30)), (token.UserId, token.Name, token.Scopes, token.CreatedAt, token.ExpiresAt));
    }

    [Fact]
    public void Two_tokens_share_nothing()
    {
        var (a, _) = ApiTokens.Create(1, "a", TokenScope.Read, At, null);
        var (b, _) = ApiTokens.Create(1, "a", TokenScope.Read, At, null);
        Assert.NotEqual(a[6..14], b[6..14]);
        Assert.NotEqual(a[14..], b[14..]);
    }

    [Fact]
    public void A_token_needs_a_scope_a_name_and_a_lifetime_that_is_not_over()
    {
        Assert.Throws<ArgumentException>(() => ApiTokens.Create(1, "ci", TokenScope.None, At, null));
        Assert.Throws<ArgumentException>(() => ApiTokens.Create(1, " ", TokenScope.Read, At, null));
        Assert.Throws<ArgumentOutOfRangeException>(() => ApiTokens.Create(1, "ci", TokenScope.Read, At, TimeSpan.Zero));
        Assert.Null(ApiTokens.Create(1, "ci", TokenScope.Read, At, null).Token.ExpiresAt);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("cairn_")]
    [InlineData("cairn_abc")]
    [InlineData("CAIRN_0123456789012345678901234567890123456789")]
    [InlineData("ghp_012345678901234567890123456789012345678901")]
    [InlineData("cairn_012345678901234567890123456789012345678")]
    [InlineData("cairn_01234567890123456789012345678901234567890")]
    [InlineData("cairn_0123456789012345678901234567890123456-89")]
    [InlineData("cairn_0123456789012345678901234567890123456\u00e989")]
    [InlineData("cairn_01234567_9012345678901234567890123456789")]
    public void Anything_malformed_is_refused_without_throwing(string? value)
    {
        Assert.False(ApiTokens.TryParse(value, out var id, out var secret));
        Assert.Equal(("", ""), (id, secret));
    }

    [Fact]
    public void A_token_verifies_only_with_its_own_secret_while_active()
    {
        var (value, made) = ApiTokens.Create(1, "ci", TokenScope.Read, At, TimeSpan.FromHours(1));
        var token = new ApiTokenRecord(made.Id, 1, "ci", made.Scopes, made.Hash, At, made.ExpiresAt, null, null);
        var forged = value[..^1] + (value[^1] == 'a' ? 'b' : 'a');
        var (other, _) = ApiTokens.Create(1, "ci", TokenScope.Read, At, null);

        Assert.True(ApiTokens.Verify(value, token, At.AddMinutes(59)));
        Assert.False(ApiTokens.Verify(forged, token, At));
        Assert.False(ApiTokens.Verify(other, token, At));
        Assert.False(ApiTokens.Verify(value, token, At.AddHours(1)));
        Assert.False(ApiTokens.Verify(value, token with { RevokedAt = At }, At));
        Assert.False(ApiTokens.Verify(null, token, At));
    }

    [Theory]
    [InlineData("30d", 30 * 24 * 60)]
    [InlineData("12h", 12 * 60)]
    [InlineData("90m", 90)]
    [InlineData("365d", 365 * 24 * 60)]
    [InlineData("8760h", 365 * 24 * 60)]
    public void Lifetimes_read_as_days_hours_or_minutes(string text, int minutes)
    {
        Assert.True(TokenLifetime.TryParse(text, out var lifetime, out var error));
        Assert.Equal(TimeSpan.FromMinutes(minutes), lifetime);
        Assert.Null(error);
    }

    [Theory]
    [InlineData(null, "not a lifetime")]
    [InlineData("", "not a lifetime")]
    [InlineData("30", "not a lifetime")]
    [InlineData("d", "not a lifetime")]
    [InlineData("30s", "not a lifetime")]
    [InlineData("30 d", "not a lifetime")]
    [InlineData("-1d", "not a lifetime")]
    [InlineData("1.5d", "not a lifetime")]
    [InlineData("30D", "not a lifetime")]
    [InlineData("0d", "no time at all")]
    [InlineData("366d", "longer than the longest a token may live (365d)")]
    [InlineData("8761h", "longer than the longest")]
    [InlineData("99999999999999999999999m", "not a lifetime")]
    [InlineData("9999999999999999m", "longer than the longest")]
    public void Other_lifetimes_are_refused_with_a_reason(string? text, string reason)
    {
        Assert.False(TokenLifetime.TryParse(text, out var lifetime, out var error));
        Assert.Equal(TimeSpan.Zero, lifetime);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }
}
