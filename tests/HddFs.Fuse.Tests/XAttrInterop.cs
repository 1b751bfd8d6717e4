using System.Runtime.InteropServices;

namespace HddFs.Fuse.Tests;

/// <summary>getxattr(2)/listxattr(2) with exact buffer sizes, to test the size protocol through the kernel.</summary>
internal static partial class XAttrInterop
{
    [LibraryImport("libc", EntryPoint = "getxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial nint getxattr(string path, string name, byte* value, nuint size);

    [LibraryImport("libc", EntryPoint = "listxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial nint listxattr(string path, byte* list, nuint size);

    /// <summary>Returns the length (or the errno as a negative number).</summary>
    public static unsafe long Get(string path, string name, byte[]? buffer)
    {
        fixed (byte* p = buffer)
        {
            var n = getxattr(path, name, p, (nuint)(buffer?.Length ?? 0));
            return n >= 0 ? n : -Marshal.GetLastPInvokeError();
        }
    }

    public static unsafe long List(string path, byte[]? buffer)
    {
        fixed (byte* p = buffer)
        {
            var n = listxattr(path, p, (nuint)(buffer?.Length ?? 0));
            return n >= 0 ? n : -Marshal.GetLastPInvokeError();
        }
    }
}
