namespace HddFs.Fuse;

/// <summary>
/// An open file or directory, as chosen by the filesystem in its OPEN/OPENDIR reply; the kernel passes it
/// back on every READ/READDIR/RELEASE of that open. Opaque to the binding.
/// </summary>
public readonly record struct FileHandle(ulong Value)
{
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
