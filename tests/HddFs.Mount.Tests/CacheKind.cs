namespace HddFs.Mount.Tests;

/// <summary>Which block store backs the VFS in a test.</summary>
public enum CacheKind
{
    /// <summary>HddFs.Testing's InMemoryBlockStore (counters, refusal switch).</summary>
    InMemory,

    /// <summary>The real on-disk DiskBlockCache in a temp directory.</summary>
    Disk,
}
