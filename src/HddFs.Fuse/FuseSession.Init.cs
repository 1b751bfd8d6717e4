using System.Runtime.InteropServices;
using static HddFs.Fuse.Interop;

namespace HddFs.Fuse;

/// <summary>INIT: version and capability negotiation, the first request of every connection.</summary>
public sealed partial class FuseSession
{
    private const int PageSize = 4096;

    private void Negotiate(FuseRequest r, ReadOnlySpan<byte> input)
    {
        // fuse_init_in grew over time (16 bytes before 7.36, 64 since): read only what the kernel sent.
        Span<byte> padded = stackalloc byte[Marshal.SizeOf<fuse_init_in>()];
        padded.Clear();
        input[..Math.Min(input.Length, padded.Length)].CopyTo(padded);
        var args = MemoryMarshal.Read<fuse_init_in>(padded);

        if (args.major != FuseKernel.FUSE_KERNEL_VERSION || args.minor < FuseKernel.FUSE_MIN_SUPPORTED_MINOR)
        {
            _log.Error($"kernel speaks FUSE {args.major}.{args.minor}; this binding needs 7.{FuseKernel.FUSE_MIN_SUPPORTED_MINOR} or later");
            SendError(r, Errno.EPROTO);
            _initialized.TrySetException(new IOException($"Unsupported FUSE protocol {args.major}.{args.minor}."));
            return;
        }

        var kernelFlags = args.flags | ((args.flags & FuseKernel.FUSE_INIT_EXT) != 0 ? (ulong)args.flags2 << 32 : 0);
        var wanted = FuseKernel.FUSE_ASYNC_READ
            | FuseKernel.FUSE_BIG_WRITES
            | FuseKernel.FUSE_PARALLEL_DIROPS
            | FuseKernel.FUSE_MAX_PAGES
            | (_options.CacheSymlinks ? FuseKernel.FUSE_CACHE_SYMLINKS : 0)
            | (_options.ReadDirPlus ? FuseKernel.FUSE_DO_READDIRPLUS : 0)
            | (_options.ReadDirPlus && _options.ReadDirPlusAuto ? FuseKernel.FUSE_READDIRPLUS_AUTO : 0)
            | (_options.AutoInvalidateData ? FuseKernel.FUSE_AUTO_INVAL_DATA : 0)
            | (_options.ExplicitInvalidateData ? FuseKernel.FUSE_EXPLICIT_INVAL_DATA : 0);
        var flags = kernelFlags & wanted;

        // Without MAX_PAGES the kernel caps a request at 32 pages (128 KiB).
        var maxPages = (flags & FuseKernel.FUSE_MAX_PAGES) != 0 ? _options.MaxRead / PageSize : 32;
        var maxRead = Math.Min(_options.MaxRead, maxPages * PageSize);
        var readahead = _options.ReadAheadKb is { } kb ? (uint)Math.Min((long)kb * 1024, uint.MaxValue) : args.max_readahead;

        var reply = new fuse_init_out
        {
            major = FuseKernel.FUSE_KERNEL_VERSION,
            minor = Math.Min(args.minor, FuseKernel.FUSE_KERNEL_MINOR_VERSION),
            max_readahead = readahead,
            flags = (uint)flags,
            max_background = (ushort)_options.MaxBackground,
            congestion_threshold = (ushort)_options.EffectiveCongestionThreshold,
            max_write = (uint)_options.MaxRead,
            time_gran = 1,
            max_pages = (flags & FuseKernel.FUSE_MAX_PAGES) != 0 ? (ushort)maxPages : (ushort)0,
        };

        var info = new FuseConnectionInfo
        {
            KernelMinor = args.minor,
            Minor = reply.minor,
            MaxRead = maxRead,
            MaxReadahead = (int)Math.Min(readahead, args.max_readahead),
            MaxBackground = reply.max_background,
            CongestionThreshold = reply.congestion_threshold,
            KernelFlags = kernelFlags,
            Flags = flags,
        };

        try
        {
            _fs.Init(info);
        }
#pragma warning disable CA1031 // a failing Init fails the mount, not the process
        catch (Exception e)
        {
            _log.Error("FuseFileSystem.Init threw; refusing the connection", e);
            SendError(r, Errno.EIO);
            _initialized.TrySetException(new IOException("FuseFileSystem.Init failed.", e));
            return;
        }
#pragma warning restore CA1031

        // Open the gate before answering: the kernel sends the next requests as soon as it has our answer,
        // and another reader may dispatch them before this thread returns from write(2).
        Volatile.Write(ref _connection, info);
        SendStruct(r, reply);

        // Completed only now, so Mount's readahead write comes after the kernel applied our answer.
        _initialized.TrySetResult(info);
        _log.Information($"INIT: kernel 7.{args.minor}, using 7.{reply.minor}, flags 0x{flags:x}, max_read {maxRead}, max_background {reply.max_background}");
    }
}
