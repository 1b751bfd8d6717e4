using HddFs.Fuse;
using HddFs.Testing;
using Microsoft.Extensions.Logging;

namespace HddFs.Mount.Tests;

/// <summary>path canonicalisation, option validation and the log bridge: no mount needed.</summary>
public sealed class MountPointTests
{
    [Fact]
    public void Canonical_ResolvesSymbolicLinksAnywhereInThePath()
    {
        using var directory = new TempDirectory("hddfs-canon");
        var real = directory.Combine("real", "mnt");
        Directory.CreateDirectory(real);
        Directory.CreateSymbolicLink(directory.Combine("link"), directory.Combine("real"));
        Directory.CreateSymbolicLink(directory.Combine("relative"), "real/mnt");

        var canonicalRoot = MountPointPreparation.Canonical(directory.Path);
        Assert.Equal(Path.Combine(canonicalRoot, "real", "mnt"), MountPointPreparation.Canonical(directory.Combine("link", "mnt")));
        Assert.Equal(Path.Combine(canonicalRoot, "real", "mnt"), MountPointPreparation.Canonical(directory.Combine("relative")));
        Assert.Equal(Path.Combine(canonicalRoot, "real", "mnt", "missing"), MountPointPreparation.Canonical(directory.Combine("link", "mnt", "missing")));
    }

    [Fact]
    public void Options_Validate_NamesTheBadOption()
    {
        new PartyMountOptions().Validate();
        Assert.Equal("ReaderThreads", Assert.Throws<ArgumentException>(() => new PartyMountOptions { ReaderThreads = 0 }.Validate()).ParamName);
        Assert.Equal("MaxBackground", Assert.Throws<ArgumentException>(() => new PartyMountOptions { MaxBackground = 70_000 }.Validate()).ParamName);
        Assert.Equal("ReadAheadKb", Assert.Throws<ArgumentException>(() => new PartyMountOptions { ReadAheadKb = -4 }.Validate()).ParamName);
        Assert.Equal("UnmountTimeout", Assert.Throws<ArgumentException>(() => new PartyMountOptions { UnmountTimeout = TimeSpan.Zero }.Validate()).ParamName);
        Assert.Equal("InvalidationQueueCapacity", Assert.Throws<ArgumentException>(() => new PartyMountOptions { InvalidationQueueCapacity = 0 }.Validate()).ParamName);
    }

    [Fact]
    public void FuseLog_GoesToTheLoggerAtTheMatchingLevel()
    {
        var logs = new TestLoggerFactory();
        var handler = FuseLogBridge.For(logs.CreateLogger("HddFs.Fuse"));
        var failure = new IOException("boom");

        handler(FuseLogLevel.Trace, "trace", null);
        handler(FuseLogLevel.Information, "info", null);
        handler(FuseLogLevel.Warning, "warning", null);
        handler(FuseLogLevel.Error, "error", failure);

        Assert.Equal(
            [(LogLevel.Trace, "trace"), (LogLevel.Information, "info"), (LogLevel.Warning, "warning"), (LogLevel.Error, "error")],
            logs.Entries.Select(e => (e.Level, e.Message)));
        Assert.Same(failure, logs.Entries.Last().Exception);
    }

    [Fact]
    public void Conversions_KeepNumbersTypesModesAndTimes()
    {
        var attributes = new HddFs.Vfs.VfsAttributes(42, IsDirectory: false, Size: 1000, Blocks: 2, HddFs.Vfs.VfsAttributes.FileMode, 1, 1000, 1001, 1_700_000_000_123, 65536, TimeSpan.FromSeconds(5));
        var fuse = FuseConversions.ToFuse(attributes);
        Assert.Equal(42UL, fuse.Ino);
        Assert.Equal(FuseFileType.RegularFile, fuse.Type);
        Assert.Equal(0x8000u | 0x124u, fuse.Mode);
        Assert.Equal(1000UL, fuse.Size);
        Assert.Equal(2UL, fuse.Blocks);
        Assert.Equal((1000u, 1001u, 65536u), (fuse.Uid, fuse.Gid, fuse.BlockSize));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123), fuse.ModificationTime);

        var entry = FuseConversions.ToFuse(new HddFs.Vfs.VfsEntry(7, attributes with { Node = 7, IsDirectory = true, Mode = HddFs.Vfs.VfsAttributes.DirectoryMode, Blocks = 0 }, TimeSpan.FromSeconds(3)));
        Assert.Equal(new NodeId(7), entry.NodeId);
        Assert.Equal(FuseFileType.Directory, entry.Attributes.Type);
        Assert.Equal(0x4000u | 0x16Du, entry.Attributes.Mode);
        Assert.Equal(0UL, entry.Attributes.Blocks);
        Assert.Equal((TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5)), (entry.EntryTimeout, entry.AttributeTimeout));
    }
}
