using System.Globalization;

namespace Cairn.Git;

/// <summary>What <c>git cat-file --batch-check</c> says of one object it was asked about: its id, type and size, or
/// (type null) that there is no such object.</summary>
internal readonly record struct GitObjectHeader(string? Id, string? Type, long Size)
{
    /// <summary>Reads <c>git cat-file --batch-check</c> output: per object a line <c>oid type size</c>, or
    /// <c>name missing</c> (type null).</summary>
    public static List<GitObjectHeader> ReadBatchCheck(string output)
    {
        var objects = new List<GitObjectHeader>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var header = line.Split(' ');
            objects.Add(header.Length == 3 && long.TryParse(header[2], NumberStyles.None, CultureInfo.InvariantCulture, out var size)
                ? new GitObjectHeader(header[0], header[1], size)
                : new GitObjectHeader(null, null, 0));
        }

        return objects;
    }
}
