namespace Cairn.Cli;

/// <summary>What <c>cairn</c> exits with; scripts rely on these.</summary>
internal static class ExitCodes
{
    public const int Succeeded = 0;
    public const int Failed = 1;
    public const int Usage = 2;
    public const int Cancelled = 130;
}
