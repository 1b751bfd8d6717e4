namespace HddFs.Fuse;

/// <summary>
/// A LOOKUP answer (struct fuse_entry_out), also used for READDIRPLUS entries.
/// A positive entry (NodeId not 0) gives the kernel one lookup reference on <see cref="NodeId"/>, which it
/// returns later through <see cref="FuseFileSystem.Forget"/>. A negative entry (<see cref="Negative"/>)
/// tells the kernel the name does not exist and lets it cache that for <see cref="EntryTimeout"/>.
/// </summary>
public readonly record struct FuseEntry
{
    public FuseEntry(NodeId nodeId, FuseAttributes attributes, TimeSpan entryTimeout, TimeSpan attributeTimeout, ulong generation = 0)
    {
        NodeId = nodeId;
        Attributes = attributes;
        EntryTimeout = entryTimeout;
        AttributeTimeout = attributeTimeout;
        Generation = generation;
    }

    public NodeId NodeId { get; init; }

    /// <summary>NodeId + Generation must be unique over the filesystem's lifetime if NodeIds are reused.</summary>
    public ulong Generation { get; init; }

    public FuseAttributes Attributes { get; init; }

    /// <summary>How long the kernel may cache the name → node mapping (or, if negative, its absence).</summary>
    public TimeSpan EntryTimeout { get; init; }

    /// <summary>How long the kernel may cache <see cref="Attributes"/>.</summary>
    public TimeSpan AttributeTimeout { get; init; }

    public bool IsNegative => NodeId.IsNone;

    /// <summary>"No such name", cached by the kernel for <paramref name="timeout"/> (0: answer ENOENT uncached).</summary>
    public static FuseEntry Negative(TimeSpan timeout) => new() { EntryTimeout = timeout };

    internal Interop.fuse_entry_out ToKernel()
    {
        var (entrySeconds, entryNanos) = FuseAttributes.ToKernelTimeout(EntryTimeout);
        var (attrSeconds, attrNanos) = FuseAttributes.ToKernelTimeout(AttributeTimeout);
        return new Interop.fuse_entry_out
        {
            nodeid = NodeId.Value,
            generation = Generation,
            entry_valid = entrySeconds,
            entry_valid_nsec = entryNanos,
            attr_valid = IsNegative ? 0 : attrSeconds,
            attr_valid_nsec = IsNegative ? 0 : attrNanos,
            attr = IsNegative ? default : Attributes.ToKernel(),
        };
    }
}
