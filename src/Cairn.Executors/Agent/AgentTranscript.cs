using System.Text;

namespace Cairn.Executors.Agent;

/// <summary>An attempt's raw stream, one line as the CLI printed it per line, kept in a file the worker's host owns; past
/// its cap the rest is dropped after a line that says so.</summary>
internal sealed class AgentTranscript(string path, long maxBytes) : IDisposable
{
    private readonly Lock _gate = new();
    private FileStream? _file;
    private long _written;
    private bool _cut;

    public string Path => path;

    public void Append(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        lock (_gate)
        {
            if (_cut)
            {
                return;
            }

            _file ??= new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
            var bytes = Encoding.UTF8.GetBytes(line + "\n");
            if (_written + bytes.Length > maxBytes)
            {
                _cut = true;
                bytes = Encoding.UTF8.GetBytes($"{{\"cairn\":\"transcript cut at {maxBytes} bytes: the rest of the stream was not kept\"}}\n");
            }

            _file.Write(bytes);
            _file.Flush();
            _written += bytes.Length;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _file?.Dispose();
            _file = null;
        }
    }
}
