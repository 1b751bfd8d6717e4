using System.Diagnostics;

namespace HddFs.Shares.Tests;

/// <summary>Creates what .NET cannot: FIFOs, sockets, device nodes, names that are not UTF-8.</summary>
internal static class ShellTools
{
    public static void MakeFifo(string path) => Run("mkfifo", path);

    /// <summary>A character device (/dev/null's numbers); false when not permitted (not root).</summary>
    public static bool TryMakeCharacterDevice(string path) => TryRun("mknod", path, "c", "1", "3");

    /// <summary>A file whose name is the bytes "bad" 0xFF ".txt" (not UTF-8) in <paramref name="directory"/>.</summary>
    public static void MakeNonUtf8File(string directory)
        => Run("sh", "-c", "printf x > \"$1\"/\"$(printf 'bad\\377.txt')\"", "sh", directory);

    /// <summary>rm -rf: unlike Directory.Delete it removes names that are not UTF-8.</summary>
    public static void RemoveTree(string path) => Run("rm", "-rf", "--", path);

    public static void MakeSocket(string path)
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        socket.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
    }

    private static void Run(string program, params string[] arguments)
    {
        if (!TryRun(program, arguments))
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed.");
        }
    }

    private static bool TryRun(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program, arguments) { UseShellExecute = false, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0;
    }
}
