using System.Runtime.InteropServices;

namespace HddFs.Testing;

/// <summary>
/// libc's setns(2). DllImport rather than LibraryImport: the generated LibraryImport stub needs
/// AllowUnsafeBlocks, which this project does not set; the signature is blittable (two ints) so the
/// runtime marshaller adds nothing.
/// </summary>
internal static class NetworkNamespaceInterop
{
    /// <summary>CLONE_NEWNET from linux/sched.h.</summary>
    public const int CLONE_NEWNET = 0x40000000;

#pragma warning disable SYSLIB1054 // LibraryImport would need AllowUnsafeBlocks (see the type comment).
    [DllImport("libc", EntryPoint = "setns", SetLastError = true)]
    public static extern int SetNs(int fd, int nstype);
#pragma warning restore SYSLIB1054
}
