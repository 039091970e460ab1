using System.Buffers;
using Cairn.Core.Forges;

namespace Cairn.Forges.Webhooks;

/// <summary>The <c>payload</c> field of an <c>application/x-www-form-urlencoded</c> body, percent-decoded byte by byte
/// (as <c>WebUtility.UrlDecode</c> decodes: <c>+</c> is a space, a <c>%</c> without two hex digits stays as it is)
/// into one buffer from the pool, no larger than the field.</summary>
internal static class FormPayload
{
    public static PayloadJson Decode(ReadOnlySpan<byte> form)
    {
        while (true)
        {
            var end = form.IndexOf((byte)'&');
            var field = end < 0 ? form : form[..end];
            if (field.StartsWith("payload="u8))
            {
                return Unescape(field["payload=".Length..]);
            }

            if (end < 0)
            {
                throw new WebhookFormatException("the form body has no 'payload' field");
            }

            form = form[(end + 1)..];
        }
    }

    private static PayloadJson Unescape(ReadOnlySpan<byte> encoded)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(encoded.Length, 1));
        var length = 0;
        for (var i = 0; i < encoded.Length; i++)
        {
            var value = encoded[i];
            if (value == (byte)'+')
            {
                value = (byte)' ';
            }
            else if (value == (byte)'%' && i + 2 < encoded.Length && Hex(encoded[i + 1]) is >= 0 and var high && Hex(encoded[i + 2]) is >= 0 and var low)
            {
                value = (byte)((high << 4) | low);
                i += 2;
            }

            buffer[length++] = value;
        }

        return new PayloadJson(buffer.AsMemory(0, length), buffer);
    }

    private static int Hex(byte value) => value switch
    {
        >= (byte)'0' and <= (byte)'9' => value - '0',
        >= (byte)'a' and <= (byte)'f' => value - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => value - 'A' + 10,
        _ => -1,
    };
}
