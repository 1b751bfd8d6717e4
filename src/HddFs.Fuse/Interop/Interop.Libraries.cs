namespace HddFs.Fuse;

/// <summary>
/// Native entry points, dotnet/runtime style: one function (or a small group) per file, C names kept,
/// <c>[LibraryImport]</c> into libc, blittable arguments only. Errors come back through errno
/// (<c>SetLastError = true</c>, read with <see cref="System.Runtime.InteropServices.Marshal.GetLastPInvokeError"/>).
/// </summary>
internal static partial class Interop
{
    internal static class Libraries
    {
        internal const string Libc = "libc";
    }
}
