using System.Globalization;
using HddFs.Shares.Interop;

namespace HddFs.Shares;

/// <summary>Human-readable errno values for log messages.</summary>
internal static class Errno
{
    public static string Describe(int errno) => errno switch
    {
        Libc.EPerm => "operation not permitted (EPERM)",
        Libc.ENoEnt => "no such file or directory (ENOENT)",
        Libc.EIo => "input/output error (EIO)",
        Libc.EAcces => "permission denied (EACCES)",
        Libc.ENotDir => "not a directory (ENOTDIR)",
        Libc.ENameTooLong => "name too long (ENAMETOOLONG)",
        Libc.ELoop => "too many levels of symbolic links (ELOOP)",
        _ => "errno " + errno.ToString(CultureInfo.InvariantCulture),
    };
}
