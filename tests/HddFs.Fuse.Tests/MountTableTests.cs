namespace HddFs.Fuse.Tests;

/// <summary>/proc/self/mountinfo parsing: escapes, types, sources; no mount needed.</summary>
public sealed class MountTableTests
{
    [Fact]
    public void MountTable_ParsesEscapedMountPointsTypesAndSources()
    {
        Assert.True(MountTable.TryParse("36 35 98:0 / /mnt/with\\040space rw,relatime shared:1 - fuse.hddfs hddfs ro,user_id=0,group_id=0", out var entry));
        Assert.Equal("/mnt/with space", entry.MountPoint);
        Assert.Equal("98:0", entry.DeviceId);
        Assert.Equal("fuse.hddfs", entry.FileSystemType);
        Assert.Equal("hddfs", entry.Source);

        Assert.True(MountTable.TryParse("40 1 0:50 / /tmp/a\\134b\\011c rw - tmpfs my\\040tmpfs rw", out var escaped));
        Assert.Equal("/tmp/a\\b\tc", escaped.MountPoint);
        Assert.Equal("my tmpfs", escaped.Source);
        Assert.False(MountTable.TryParse("garbage", out _));
        Assert.NotNull(MountTable.Find("/"));
        Assert.Null(MountTable.Find("/surely/not/a/mount/point"));
    }
}
