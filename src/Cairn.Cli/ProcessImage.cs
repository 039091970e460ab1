using System.Runtime.InteropServices;

namespace Cairn.Cli;

/// <summary>Replaces this process's program (<c>execv</c>): the same process id, environment and open streams.</summary>
internal static partial class ProcessImage
{
    /// <summary>Runs <paramref name="path"/> with <paramref name="argv"/> (its first element the program's name) in place
    /// of this program. Returns only when that could not be done, with the reason.</summary>
    public static string Replace(string path, IReadOnlyList<string> argv)
    {
        var pointers = new nint[argv.Count + 1];
        try
        {
            for (var i = 0; i < argv.Count; i++)
            {
                pointers[i] = Marshal.StringToCoTaskMemUTF8(argv[i]);
            }

            Console.Out.Flush();
            _ = ExecV(path, pointers);
            return Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
        }
        finally
        {
            foreach (var pointer in pointers)
            {
                Marshal.FreeCoTaskMem(pointer);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "execv", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int ExecV(string path, nint[] argv);
}
