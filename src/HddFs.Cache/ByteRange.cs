namespace HddFs.Cache;

/// <summary>A byte range [<see cref="Offset"/>, <see cref="End"/>) of a file.</summary>
public readonly record struct ByteRange(long Offset, long Length)
{
    public long End => Offset + Length;
}
