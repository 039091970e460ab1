namespace Cairn.Core.Logs;

/// <summary>Masks text that arrives in pieces (a line too long to hold at once): the last
/// <c>longest form − 1</c> characters are held back until the next piece or the end, so an occurrence that straddles
/// two pieces is still masked, and no more than that is ever held.</summary>
internal sealed class CarryingMasker(SecretMasker masker)
{
    private readonly CharBuffer _held = new();

    /// <summary>How many of the held characters lie inside an occurrence already written as the placeholder.</summary>
    private int _alreadyMasked;

    /// <summary>Masks <paramref name="piece"/> after what is held, appending to <paramref name="output"/> all that no
    /// later piece can change.</summary>
    public void Write(ReadOnlySpan<char> piece, CharBuffer output)
    {
        var holdBack = Math.Max(0, masker.LongestForm - 1);
        if (_held.Length == 0)
        {
            var limit = Math.Max(0, piece.Length - holdBack);
            var written = masker.MaskInto(piece, limit, _alreadyMasked, output);
            _held.Append(piece[limit..]);
            _alreadyMasked = written - limit;
            return;
        }

        _held.Append(piece);
        var text = _held.Span;
        var cut = Math.Max(0, text.Length - holdBack);
        var done = masker.MaskInto(text, cut, _alreadyMasked, output);
        _alreadyMasked = done - cut;
        _held.RemoveStart(cut);
    }

    /// <summary>The text has ended: masks and appends what is held.</summary>
    public void Flush(CharBuffer output)
    {
        masker.MaskInto(_held.Span, _held.Length, _alreadyMasked, output);
        _held.Clear();
        _alreadyMasked = 0;
    }
}
