using System.Security.Cryptography;
using System.Text;

namespace HddFs.Daemon.Control;

/// <summary>
/// Where the local control socket lives: <c>DATA_DIR/control.sock</c>, mode 0600 (only the owner may
/// drive the daemon). A Unix socket path is limited to 107 bytes, so a long data directory falls back
/// to <c>$XDG_RUNTIME_DIR</c> (or /tmp) with a name derived from the data directory.
/// </summary>
public static class ControlSocket
{
    private const int MaxPath = 100;

    public static string PathFor(string dataDirectory)
    {
        var direct = Path.Combine(dataDirectory, "control.sock");
        if (Encoding.UTF8.GetByteCount(direct) <= MaxPath)
        {
            return direct;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(dataDirectory))))[..16];
        var runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        var dir = !string.IsNullOrEmpty(runtime) && Directory.Exists(runtime) ? runtime : Path.GetTempPath();
        return Path.Combine(dir, $"hddfs-{hash}.sock");
    }
}
