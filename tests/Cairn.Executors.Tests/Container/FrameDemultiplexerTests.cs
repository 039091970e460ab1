using System.Buffers.Binary;
using System.Text;
using Cairn.Core.Logs;
using Cairn.Executors.Container;

namespace Cairn.Executors.Tests.Container;

public sealed class FrameDemultiplexerTests
{
    private static byte[] Frame(byte stream, string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        var frame = new byte[8 + payload.Length];
        frame[0] = stream;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)payload.Length);
        payload.CopyTo(frame, 8);
        return frame;
    }

    private static List<(LogStream Stream, string Text)> Demultiplex(byte[] bytes, int chunkSize)
    {
        var received = new List<(LogStream, byte[])>();
        var frames = new FrameDemultiplexer((stream, payload) => received.Add((stream, payload.ToArray())));
        for (var at = 0; at < bytes.Length; at += chunkSize)
        {
            frames.Write(bytes.AsSpan(at, Math.Min(chunkSize, bytes.Length - at)));
        }

        // Merge consecutive pieces of one stream: how the transport cut them is not the point.
        var merged = new List<(LogStream Stream, string Text)>();
        foreach (var (stream, payload) in received)
        {
            var text = Encoding.UTF8.GetString(payload);
            if (merged.Count > 0 && merged[^1].Stream == stream)
            {
                merged[^1] = (stream, merged[^1].Text + text);
            }
            else
            {
                merged.Add((stream, text));
            }
        }

        return merged;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(4096)]
    public void Frames_AreSplitByStream_HoweverTheTransportCutsThem(int chunkSize)
    {
        byte[] bytes = [.. Frame(1, "out one\n"), .. Frame(2, "err one\n"), .. Frame(1, "out two\n")];

        var streams = Demultiplex(bytes, chunkSize);

        Assert.Equal(
            [(LogStream.Stdout, "out one\n"), (LogStream.Stderr, "err one\n"), (LogStream.Stdout, "out two\n")],
            streams);
    }

    [Fact]
    public void EmptyFrames_AreSkipped_AndLongFramesArriveWhole()
    {
        var longText = new string('x', 70_000);
        byte[] bytes = [.. Frame(1, ""), .. Frame(2, longText), .. Frame(1, "end")];

        var streams = Demultiplex(bytes, 1000);

        Assert.Equal([(LogStream.Stderr, longText), (LogStream.Stdout, "end")], streams);
    }
}
