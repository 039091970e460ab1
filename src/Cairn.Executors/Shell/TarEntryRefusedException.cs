namespace Cairn.Executors.Shell;

/// <summary>A tar entry that was not extracted because it would leave its folder, write through a link, or make
/// something other than a folder, file or link; the message names the entry.</summary>
public sealed class TarEntryRefusedException : IOException
{
    public TarEntryRefusedException(string entry, string reason)
        : base($"refused tar entry '{TarEntryNames.Shown(entry)}': {reason}")
    {
        Entry = entry;
    }

    public TarEntryRefusedException()
    {
        Entry = "";
    }

    public TarEntryRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Entry = "";
    }

    /// <summary>The entry's name as the tar gave it.</summary>
    public string Entry { get; }
}
