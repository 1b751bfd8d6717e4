namespace HddFs.Fuse;

/// <summary>File type, numbered as the DT_* values (the S_IFMT bits of st_mode shifted right by 12).</summary>
public enum FuseFileType
{
    Unknown = 0,
    Fifo = 1,
    CharacterDevice = 2,
    Directory = 4,
    BlockDevice = 6,
    RegularFile = 8,
    SymbolicLink = 10,
    Socket = 12,
}
