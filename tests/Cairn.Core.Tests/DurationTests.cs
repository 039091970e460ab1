using Cairn.Core.Pipelines;

namespace Cairn.Core.Tests;

public sealed class DurationTests
{
    [Theory]
    [InlineData("90s", 90_000)]
    [InlineData("20m", 1_200_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("500ms", 500)]
    [InlineData("2d", 172_800_000)]
    [InlineData("1.5h", 5_400_000)]
    [InlineData("0.5s", 500)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1d2h3m4s5ms", 93_784_005)]
    [InlineData("  45s\t", 45_000)]
    [InlineData("1ms", 1)]
    [InlineData("2m500ms", 120_500)]
    public void TryParse_ReadsNumberUnitParts(string text, long expectedMilliseconds)
    {
        Assert.True(Duration.TryParse(text, out var value, out var error), error);
        Assert.Null(error);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), value);
    }

    [Theory]
    [InlineData("20", "'20' has no unit: write 20s, 20m or 20h")]
    [InlineData("1.5", "'1.5' has no unit: write 1.5s, 1.5m or 1.5h")]
    [InlineData("5x", "'5x' is not a duration: use a number and a unit, like 90s, 20m or 1h30m")]
    [InlineData("1h 30m", "'1h 30m' is not a duration: use a number and a unit, like 90s, 20m or 1h30m")]
    [InlineData("h", "'h' is not a duration: use a number and a unit, like 90s, 20m or 1h30m")]
    [InlineData("1.h", "'1.h' is not a duration: use a number and a unit, like 90s, 20m or 1h30m")]
    [InlineData(".5h", "'.5h' is not a duration: use a number and a unit, like 90s, 20m or 1h30m")]
    [InlineData("1H", "'1H' is not a duration: use a number and a unit, like 90s, 20m or 1h30m")]
    [InlineData("ten minutes", "'ten minutes' is not a duration: use a number and a unit, like 90s, 20m or 1h30m")]
    [InlineData("0s", "a duration must be more than zero")]
    [InlineData("0h0m", "a duration must be more than zero")]
    [InlineData("-5m", "a duration must be more than zero")]
    [InlineData("", "a duration cannot be empty: write one like 90s, 20m or 1h30m")]
    [InlineData("   ", "a duration cannot be empty: write one like 90s, 20m or 1h30m")]
    [InlineData("99999999999d", "'99999999999d' is too long to be a duration")]
    public void TryParse_Rejects_WithAnActionableMessage(string text, string expectedError)
    {
        Assert.False(Duration.TryParse(text, out var value, out var error));
        Assert.Equal(expectedError, error);
        Assert.Equal(TimeSpan.Zero, value);
    }

    [Fact]
    public void TryParse_RejectsAbsurdlyLongNumbers_WithoutThrowing()
    {
        Assert.False(Duration.TryParse("99999999999999999999999999999999d", out _, out var error));
        Assert.NotNull(error);
    }

    [Theory]
    [InlineData(5_400_000, "1h30m")]
    [InlineData(1_500, "1500ms")]
    [InlineData(172_800_000, "2d")]
    [InlineData(90_000, "1m30s")]
    [InlineData(1_200_000, "20m")]
    [InlineData(500, "500ms")]
    [InlineData(1_000, "1s")]
    [InlineData(93_784_005, "1d2h3m4005ms")]
    [InlineData(3_600_001, "1h1ms")]
    public void Format_GivesTheCanonicalForm(long milliseconds, string expected)
    {
        Assert.Equal(expected, Duration.Format(TimeSpan.FromMilliseconds(milliseconds)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(999)]
    [InlineData(61_001)]
    [InlineData(86_400_000 + 1)]
    [InlineData(5_400_000)]
    [InlineData(123_456_789)]
    public void Format_ParsesBackToTheSameValue(long milliseconds)
    {
        var value = TimeSpan.FromMilliseconds(milliseconds);
        Assert.True(Duration.TryParse(Duration.Format(value), out var back, out _));
        Assert.Equal(value, back);
    }

    [Fact]
    public void Format_SubMillisecondValues_ParseBack()
    {
        var value = TimeSpan.FromTicks(2_500);
        var text = Duration.Format(value);
        Assert.Equal("0.25ms", text);
        Assert.True(Duration.TryParse(text, out var back, out _));
        Assert.Equal(value, back);
    }

    [Fact]
    public void Format_Negative_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Duration.Format(TimeSpan.FromSeconds(-1)));
    }
}
