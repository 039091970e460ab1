namespace Cairn.Core.Logs;

/// <summary>Turns what one step writes to one stream into the lines that are stored: secrets masked, NUL and lone
/// surrogates replaced, and no line over <c>maxLineBytes</c> of UTF-8. A line too long for an executor to hold arrives
/// in pieces (<see cref="LogLine.Continues"/>); it is masked across them (see <see cref="CarryingMasker"/>) and cut
/// after masking, so neither the executor's cut nor ours can split a secret into parts that escape the mask.</summary>
internal sealed class LogLineAssembler(SecretMasker masker, int maxLineBytes)
{
    private readonly CarryingMasker _masker = new(masker);
    private readonly CharBuffer _masked = new();
    private bool _partEmitted;

    /// <summary>A line has begun and not ended yet.</summary>
    public bool IsOpen { get; private set; }

    /// <summary>Masks and cuts one whole line (the usual case, which needs no state).</summary>
    public static void WholeLine(SecretMasker masker, string text, int maxLineBytes, List<string> lines)
    {
        var masked = masker.Mask(text);
        var fits = LogText.FittingChars(masked, maxLineBytes);
        if (fits == masked.Length)
        {
            lines.Add(LogText.Clean(masked));
            return;
        }

        var rest = masked.AsSpan();
        while (fits < rest.Length)
        {
            lines.Add(LogText.Clean(new string(rest[..fits])));
            rest = rest[fits..];
            fits = LogText.FittingChars(rest, maxLineBytes);
        }

        lines.Add(LogText.Clean(new string(rest)));
    }

    /// <summary>Takes the next piece of the current line; <paramref name="continues"/> says the line goes on in the
    /// next piece. Adds the lines that are complete to <paramref name="lines"/>.</summary>
    public void Write(string piece, bool continues, List<string> lines)
    {
        IsOpen = true;
        _masker.Write(piece, _masked);
        if (!continues)
        {
            _masker.Flush(_masked);
        }

        int fits;
        while ((fits = LogText.FittingChars(_masked.Span, maxLineBytes)) < _masked.Length)
        {
            lines.Add(LogText.Clean(new string(_masked.Span[..fits])));
            _masked.RemoveStart(fits);
            _partEmitted = true;
        }

        if (!continues)
        {
            if (_masked.Length > 0 || !_partEmitted)
            {
                lines.Add(LogText.Clean(_masked.ToString()));
            }

            _masked.Clear();
            _partEmitted = false;
            IsOpen = false;
        }
    }
}
