using Cairn.Core.Pipelines;

namespace Cairn.Core.Tests;

public sealed class ByteSizeTests
{
    [Theory]
    [InlineData("1MiB", 1048576)]
    [InlineData("512KiB", 524288)]
    [InlineData("2 GiB", 2147483648)]
    [InlineData("1mb", 1048576)]
    [InlineData("1.5MiB", 1572864)]
    [InlineData("1048576", 1048576)]
    [InlineData("1000B", 1000)]
    [InlineData(" 64k ", 65536)]
    public void TryParse_ReadsBinaryUnitsAndPlainBytes(string text, long expected)
    {
        Assert.True(ByteSize.TryParse(text, out var bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("-1MiB")]
    [InlineData("MiB")]
    [InlineData("1 TiB")]
    [InlineData("1.5")]
    [InlineData("1e6")]
    [InlineData("9999999999 GiB")]
    public void TryParse_RefusesWhatIsNotAPositiveWholeSize(string text) => Assert.False(ByteSize.TryParse(text, out _));

    [Theory]
    [InlineData(1048576, "1 MiB", "1.0 MiB")]
    [InlineData(524288, "512 KiB", "512.0 KiB")]
    [InlineData(209715200, "200 MiB", "200.0 MiB")]
    [InlineData(3145761, "3.0 MiB", "3.0 MiB")]
    [InlineData(1000, "1000 bytes", "1000 bytes")]
    public void Sizes_ReadAsSettingsAndAsMeasurements(long bytes, string setting, string measured)
    {
        Assert.Equal(setting, ByteSize.Format(bytes));
        Assert.Equal(measured, ByteSize.Approximate(bytes));
    }
}
