using HddFs.Core;
using HddFs.Testing;

namespace HddFs.Vfs.Tests;

public sealed class NodeTableTests
{
    private static readonly PeerId Peer = FakeRemoteShares.NewPeerId(1);

    private static NodeKey Key(string path) => new(Peer, SharePath.Parse(path));

    [Fact]
    public void Numbering_SameKey_SameNumberNeverRootOrZero()
    {
        var numbering = new InodeNumbering();

        var a = numbering.Primary(Key("S/a"));

        Assert.Equal(a, numbering.Primary(Key("S/a")));
        Assert.NotEqual(a, numbering.Primary(Key("S/b")));
        Assert.NotEqual(a, new InodeNumbering().Primary(Key("S/a")));
        Assert.All(Enumerable.Range(0, 1000).Select(i => numbering.Primary(Key($"S/{i}"))), n => Assert.True(n > 1 && n <= long.MaxValue));
    }

    [Theory]
    [InlineData(0, 0x726fdb47dd0e0e31UL)] // the reference vectors of the SipHash paper (key 00..0f, message 00..len-1)
    [InlineData(1, 0x74f839c593dc67fdUL)]
    [InlineData(8, 0x93f5f5799a932462UL)]
    [InlineData(15, 0xa129ca6149be45e5UL)]
    public void SipHash24_ReferenceVectors(int length, ulong expected)
    {
        var key = Enumerable.Range(0, 16).Select(i => (byte)i).ToArray();
        var message = Enumerable.Range(0, length).Select(i => (byte)i).ToArray();

        Assert.Equal(expected, new SipHash(key).Hash(message));
    }

    [Fact]
    public void Acquire_PrimaryCollisionWithLiveNode_ProbesAndKeepsTheNumberAfterForget()
    {
        var table = new NodeTable(new InodeNumbering());
        const ulong primary = 12345;

        var first = table.Acquire(Key("S/a"), 1, null, primary, 1);
        var second = table.Acquire(Key("S/b"), 1, null, primary, 1);
        Assert.Equal(primary, first.Ino);
        Assert.NotEqual(primary, second.Ino);

        table.Forget(second.Ino, 1);
        table.Forget(first.Ino, 1);
        Assert.False(table.TryGet(first.Ino, out _));
        var secondAgain = table.Acquire(Key("S/b"), 1, null, primary, 1);
        var firstAgain = table.Acquire(Key("S/a"), 1, null, primary, 1);

        Assert.Equal(second.Ino, secondAgain.Ino);
        Assert.Equal(first.Ino, firstAgain.Ino);
    }

    [Fact]
    public void Forget_MoreThanHeldOrUnknownOrRoot_Harmless()
    {
        var table = new NodeTable(new InodeNumbering());
        var node = table.Acquire(Key("S/a"), 1, null, 99, 2);

        table.Forget(node.Ino, 1);
        Assert.True(table.TryGet(node.Ino, out _));
        table.Forget(node.Ino, 10);
        Assert.False(table.TryGet(node.Ino, out _));
        table.Forget(424242, 1);
        table.Forget(NodeTable.RootIno, 100);
        Assert.True(table.TryGet(NodeTable.RootIno, out _));
    }

    [Fact]
    public void OpenNode_ForgottenByKernel_KeptUntilClosed()
    {
        var table = new NodeTable(new InodeNumbering());
        var node = table.Acquire(Key("S/a"), 1, null, 99, 1);
        table.Open(node);

        table.Forget(node.Ino, 1);
        Assert.True(table.TryGet(node.Ino, out _));
        table.Close(node);

        Assert.False(table.TryGet(node.Ino, out _));
    }
}
