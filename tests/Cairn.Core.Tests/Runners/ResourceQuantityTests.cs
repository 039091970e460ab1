using Cairn.Core.Runners;

namespace Cairn.Core.Tests.Runners;

public sealed class ResourceQuantityTests
{
    [Theory]
    [InlineData("512Mi", 536_870_912L)]
    [InlineData("4Gi", 4_294_967_296L)]
    [InlineData("1G", 1_000_000_000L)]
    [InlineData("500M", 500_000_000L)]
    [InlineData("128974848", 128_974_848L)]
    [InlineData("129e6", 129_000_000L)]
    [InlineData("129E6", 129_000_000L)]
    [InlineData("1.5Gi", 1_610_612_736L)]
    [InlineData("64Ki", 65_536L)]
    [InlineData("2k", 2_000L)]
    [InlineData("1Ti", 1_099_511_627_776L)]
    [InlineData("0.5Ki", 512L)]
    [InlineData("1.0001k", 1_001L)]
    public void Memory_IsReadAsKubernetesQuantities(string text, long bytes)
    {
        Assert.True(ResourceQuantity.TryParseMemory(text, out var parsed));
        Assert.Equal(bytes, parsed);
    }

    [Theory]
    [InlineData("4GB")]
    [InlineData("4gi")]
    [InlineData("512mb")]
    [InlineData("0")]
    [InlineData("0Mi")]
    [InlineData("-1Gi")]
    [InlineData("Gi")]
    [InlineData("1e")]
    [InlineData("1e6Mi")]
    [InlineData("1e400")]
    [InlineData("100000Ei")]
    [InlineData("lots")]
    [InlineData("")]
    public void Memory_RejectsWhatIsNotAPositiveQuantity(string text) =>
        Assert.False(ResourceQuantity.TryParseMemory(text, out _));

    [Theory]
    [InlineData("2", 2.0)]
    [InlineData("0.5", 0.5)]
    [InlineData("1.25", 1.25)]
    [InlineData("500m", 0.5)]
    [InlineData("1500m", 1.5)]
    [InlineData("100m", 0.1)]
    public void Cpu_IsCores_OrMillicores(string text, double cores)
    {
        Assert.True(ResourceQuantity.TryParseCpu(text, out var parsed));
        Assert.Equal(cores, parsed, 9);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("0m")]
    [InlineData("2 cores")]
    [InlineData("2k")]
    [InlineData("1e3")]
    [InlineData("-1")]
    [InlineData("half")]
    public void Cpu_RejectsWhatIsNotAPositiveNumberOfCores(string text) =>
        Assert.False(ResourceQuantity.TryParseCpu(text, out _));

    [Theory]
    [InlineData(536_870_912L, "512Mi")]
    [InlineData(4_294_967_296L, "4Gi")]
    [InlineData(1_000_000_000L, "1000000000")]
    [InlineData(1_610_612_736L, "1536Mi")]
    public void Memory_IsWrittenBackInTheLargestBinaryUnitThatFits(long bytes, string text) =>
        Assert.Equal(text, ResourceQuantity.FormatMemory(bytes));
}
