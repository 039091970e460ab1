namespace Cairn.Core.Logs;

/// <summary>A growable run of characters that can also give up its start: what a long line collects until it is cut.</summary>
internal sealed class CharBuffer(int capacity = 256)
{
    private char[] _chars = new char[Math.Max(capacity, 16)];

    public int Length { get; private set; }

    public ReadOnlySpan<char> Span => _chars.AsSpan(0, Length);

    public void Append(ReadOnlySpan<char> text)
    {
        if (Length + text.Length > _chars.Length)
        {
            Array.Resize(ref _chars, Math.Max(Length + text.Length, _chars.Length * 2));
        }

        text.CopyTo(_chars.AsSpan(Length));
        Length += text.Length;
    }

    /// <summary>Drops the first <paramref name="count"/> characters.</summary>
    public void RemoveStart(int count)
    {
        _chars.AsSpan(count, Length - count).CopyTo(_chars);
        Length -= count;
    }

    public void Clear() => Length = 0;

    public override string ToString() => new(Span);
}
