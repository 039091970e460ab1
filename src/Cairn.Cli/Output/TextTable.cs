using System.Text;

namespace Cairn.Cli.Output;

/// <summary>Columns two spaces apart under a header, for a terminal or a script's <c>awk</c>; on a terminal a row
/// may have a colour.</summary>
internal sealed class TextTable(params string[] header)
{
    private readonly List<(string[] Cells, string? Color)> _rows = [];

    public int Count => _rows.Count;

    /// <param name="color">An SGR code (<c>32</c>, <c>2</c>…) for the whole row, or null.</param>
    public void Add(string? color, params string[] cells)
    {
        if (cells.Length != header.Length)
        {
            throw new ArgumentException($"a row of {cells.Length} cells under {header.Length} columns", nameof(cells));
        }

        _rows.Add((cells, color));
    }

    public string Render(bool color)
    {
        var widths = header.Select((h, i) => _rows.Select(r => r.Cells[i].Length).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder(Row(header, widths));
        foreach (var (cells, code) in _rows)
        {
            var line = Row(cells, widths);
            text.Append('\n').Append(color && code is not null ? $"\u001b[{code}m{line}\u001b[0m" : line);
        }

        return text.ToString();
    }

    private static string Row(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => c.PadRight(widths[i]))).TrimEnd();
}
