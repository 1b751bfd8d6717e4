using HddFs.Fuse;
using HddFs.Vfs;

namespace HddFs.Mount.Tests;

/// <summary>The one VfsError → errno table (docs/SEMANTICS.md).</summary>
public sealed class ErrnoMapTests
{
    public static TheoryData<VfsError, Errno> Table => new()
    {
        { VfsError.NotFound, Errno.ENOENT },
        { VfsError.NotADirectory, Errno.ENOTDIR },
        { VfsError.IsADirectory, Errno.EISDIR },
        { VfsError.ReadOnly, Errno.EROFS },
        { VfsError.IoError, Errno.EIO },
        { VfsError.NoAttribute, Errno.ENODATA },
        { VfsError.Interrupted, Errno.EINTR },
        { VfsError.BadHandle, Errno.EBADF },
        { VfsError.InvalidArgument, Errno.EINVAL },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void VfsException_TranslatesToItsErrno_WithTheMessageAndCause(VfsError error, Errno errno)
    {
        var exception = new VfsException(error, "why");

        Assert.Equal(errno, ErrnoMap.ToErrno(error));
        Assert.True(ErrnoMap.TryTranslate(exception, unmounting: false, out var translated));
        Assert.Equal(errno, translated.Errno);
        Assert.Equal("why", translated.Message);
        Assert.Same(exception, translated.InnerException);
        Assert.Equal(errno, ErrnoMap.Failure(error, "x").Errno);
    }

    [Fact]
    public void EveryVfsError_IsInTheTable()
        => Assert.Equal(Enum.GetValues<VfsError>().Order(), Table.Select(row => (VfsError)row[0]).Order());

    [Fact]
    public void ObjectDisposed_IsEio_AndUnknownExceptionsAreLeftToTheBinding()
    {
        Assert.True(ErrnoMap.TryTranslate(new ObjectDisposedException("vfs"), unmounting: false, out var disposed));
        Assert.Equal(Errno.EIO, disposed.Errno);
        Assert.False(ErrnoMap.TryTranslate(new InvalidOperationException(), unmounting: false, out var other));
        Assert.Null(other);
        Assert.False(ErrnoMap.TryTranslate(new OperationCanceledException(), unmounting: true, out _));
    }

    [Fact]
    public void Interrupted_WhileUnmounting_IsEioNotEintr()
    {
        Assert.True(ErrnoMap.TryTranslate(new VfsException(VfsError.Interrupted, "cancelled"), unmounting: true, out var translated));
        Assert.Equal(Errno.EIO, translated.Errno);
        Assert.True(ErrnoMap.TryTranslate(new VfsException(VfsError.IoError, "peer gone"), unmounting: true, out var io));
        Assert.Equal(Errno.EIO, io.Errno);
        Assert.True(ErrnoMap.TryTranslate(new VfsException(VfsError.NotFound, "gone"), unmounting: true, out var notFound));
        Assert.Equal(Errno.ENOENT, notFound.Errno);
        Assert.Equal(Errno.EIO, ErrnoMap.Unmounting().Errno);
    }

    [Fact]
    public void OtherAttributeNamespaces_AreNotSupported()
        => Assert.Equal(Errno.EOPNOTSUPP, ErrnoMap.UnsupportedAttributeNamespace("security.selinux").Errno);
}
