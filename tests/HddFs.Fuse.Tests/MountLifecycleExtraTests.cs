using HddFs.Fuse;
using HddFs.Testing;

namespace HddFs.Fuse.Tests;

public sealed class MountLifecycleExtraTests
{
    [Fact]
    public void Unmount_NotAFuseMount_RefusesAndTouchesNothing()
    {
        using var dir = new TempDirectory();
        Assert.Throws<IOException>(() => FuseMount.Unmount(dir.Path));
        Assert.Throws<IOException>(() => FuseMount.Unmount("/"));
        Assert.True(Directory.Exists(dir.Path));
    }
}
