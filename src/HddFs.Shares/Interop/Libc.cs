using System.Runtime.InteropServices;

namespace HddFs.Shares.Interop;

/// <summary>
/// The few libc calls the scanner and the read path need that .NET does not expose: file type
/// (FIFOs and devices look like empty regular files to System.IO), raw directory entries as bytes,
/// and the real path of an open descriptor. Linux only. Every argument is blittable (paths are
/// NUL-terminated UTF-8 passed as <c>ref byte</c>), so there is no unsafe code and no marshalling
/// allocation; every call sets errno (read with <see cref="Marshal.GetLastPInvokeError"/>).
/// Constants below are the same on x86-64 and arm64 (asm-generic); the flags that differ between
/// architectures (O_DIRECTORY, O_NOFOLLOW) are deliberately not used.
/// </summary>
internal static partial class Libc
{
    internal const string Library = "libc";

    // open(2) flags
    internal const int ORdOnly = 0;
    internal const int ONoCtty = 0x100;
    internal const int ONonBlock = 0x800;
    internal const int OCloExec = 0x80000;

    // *at(2) flags
    internal const int AtFdCwd = -100;
    internal const int AtSymlinkNoFollow = 0x100;
    internal const int AtNoAutomount = 0x800;
    internal const int AtEmptyPath = 0x1000;

    // errno values
    internal const int EPerm = 1;
    internal const int ENoEnt = 2;
    internal const int EIntr = 4;
    internal const int EIo = 5;
    internal const int EAcces = 13;
    internal const int ENotDir = 20;
    internal const int ENameTooLong = 36;
    internal const int ELoop = 40;

    internal const int PathMax = 4096;

    /// <summary>Writes <paramref name="text"/> as NUL-terminated UTF-8 (what every path argument here is).</summary>
    internal static byte[] NulTerminated(string text)
    {
        var bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(text) + 1];
        System.Text.Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }

    internal static int LastError => Marshal.GetLastPInvokeError();
}
