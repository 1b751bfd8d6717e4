using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using static HddFs.Fuse.Interop;

namespace HddFs.Fuse.Tests;

/// <summary>
/// Plays the kernel: a session runs on one end of a SOCK_SEQPACKET socketpair (one message per
/// read/write, like /dev/fuse) and the test sends exact request bytes and reads exact reply bytes.
/// Disposing closes the test end; the session's readers then read end-of-file and the session ends.
/// </summary>
internal sealed class ProtocolHarness : IDisposable
{
    private readonly Socket _kernel;
    private readonly byte[] _receiveBuffer = new byte[(1 << 20) + 4096];

    public unsafe ProtocolHarness(FuseFileSystem fileSystem, FuseMountOptions? options = null)
    {
        var pair = stackalloc int[2];
        Assert.Equal(0, Libc.socketpair(Libc.AF_UNIX, Libc.SOCK_SEQPACKET | Libc.SOCK_CLOEXEC, 0, pair));
        _kernel = new Socket(new SafeSocketHandle(pair[1], ownsHandle: true)) { ReceiveTimeout = 10_000 };
        Session = FuseSession.StartOnDescriptor(new FuseDeviceHandle(pair[0]), fileSystem, options ?? new FuseMountOptions { ReaderThreads = 2, Log = Record });
    }

    public FuseSession Session { get; }

    public ConcurrentQueue<(FuseLogLevel Level, string Message)> LogMessages { get; } = new();

    public void Record(FuseLogLevel level, string message, Exception? exception) => LogMessages.Enqueue((level, message));

    public void Send(FuseOpcode opcode, ulong unique, ulong node, ReadOnlySpan<byte> payload)
    {
        var message = new byte[40 + payload.Length];
        MemoryMarshal.Write(message, new fuse_in_header
        {
            len = (uint)message.Length,
            opcode = (uint)opcode,
            unique = unique,
            nodeid = node,
            uid = 1000,
            gid = 1000,
            pid = 4242,
        });
        payload.CopyTo(message.AsSpan(40));
        Assert.Equal(message.Length, _kernel.Send(message));
    }

    public void Send<T>(FuseOpcode opcode, ulong unique, ulong node, T args, ReadOnlySpan<byte> tail = default)
        where T : unmanaged
    {
        var payload = new byte[Marshal.SizeOf<T>() + tail.Length];
        MemoryMarshal.Write(payload, args);
        tail.CopyTo(payload.AsSpan(Marshal.SizeOf<T>()));
        Send(opcode, unique, node, payload);
    }

    public Reply Receive()
    {
        var n = _kernel.Receive(_receiveBuffer);
        Assert.True(n >= 16, $"short reply of {n} bytes");
        var header = MemoryMarshal.Read<fuse_out_header>(_receiveBuffer);
        Assert.Equal((uint)n, header.len);
        return new Reply(header.unique, header.error, _receiveBuffer.AsSpan(16, n - 16).ToArray());
    }

    /// <summary>True if a message arrives within <paramref name="wait"/>.</summary>
    public bool HasMessage(TimeSpan wait) => _kernel.Poll(wait, SelectMode.SelectRead);

    public Reply Call<T>(FuseOpcode opcode, ulong unique, ulong node, T args, ReadOnlySpan<byte> tail = default)
        where T : unmanaged
    {
        Send(opcode, unique, node, args, tail);
        var reply = Receive();
        Assert.Equal(unique, reply.Unique);
        return reply;
    }

    public Reply Call(FuseOpcode opcode, ulong unique, ulong node, ReadOnlySpan<byte> payload = default)
    {
        Send(opcode, unique, node, payload);
        var reply = Receive();
        Assert.Equal(unique, reply.Unique);
        return reply;
    }

    /// <summary>Sends INIT as a 7.45 kernel offering every flag (plus flags2) and returns the reply.</summary>
    public fuse_init_out Initialize(uint minor = 45, uint flags = 0xFFFF_FFFF, uint maxReadahead = 128 * 1024)
    {
        var reply = Call(FuseOpcode.Init, 1, 0, new fuse_init_in { major = 7, minor = minor, max_readahead = maxReadahead, flags = flags, flags2 = 0xFFFF_FFFF });
        Assert.Equal(0, reply.Error);
        Assert.Equal(Marshal.SizeOf<fuse_init_out>(), reply.Payload.Length);
        return MemoryMarshal.Read<fuse_init_out>(reply.Payload);
    }

    public void Dispose()
    {
        _kernel.Dispose();
        Assert.True(Session.Completion.Wait(TimeSpan.FromSeconds(10)), "session did not end after the socket closed");
    }

    internal readonly record struct Reply(ulong Unique, int Error, byte[] Payload)
    {
        public T Read<T>()
            where T : unmanaged
        {
            Assert.Equal(Marshal.SizeOf<T>(), Payload.Length);
            return MemoryMarshal.Read<T>(Payload);
        }
    }
}

/// <summary>A filesystem whose operations the test scripts with delegates; unscripted ones keep the base behaviour.</summary>
internal sealed class ScriptedFileSystem : FuseFileSystem
{
    public Func<FuseRequest, NodeId, string, ValueTask<FuseEntry>>? Lookup { get; init; }

    public Func<FuseRequest, NodeId, long, Memory<byte>, ValueTask<int>>? Read { get; init; }

    public Func<FuseRequest, NodeId, long, FuseDirectoryBuffer, ValueTask>? ReadDir { get; init; }

    public Func<FuseRequest, NodeId, ValueTask<FuseAttributesResult>>? GetAttr { get; init; }

    public Dictionary<string, byte[]>? XAttrs { get; init; }

    public ConcurrentQueue<(NodeId Node, ulong Count)> Forgets { get; } = new();

    public FuseConnectionInfo? Connection { get; private set; }

    public int DestroyCount;

    public override void Init(FuseConnectionInfo connection) => Connection = connection;

    public override void Destroy() => Interlocked.Increment(ref DestroyCount);

    public override void Forget(NodeId node, ulong lookups) => Forgets.Enqueue((node, lookups));

    public override ValueTask<FuseEntry> LookupAsync(FuseRequest request, NodeId parent, string name)
        => Lookup?.Invoke(request, parent, name) ?? base.LookupAsync(request, parent, name);

    public override ValueTask<FuseAttributesResult> GetAttrAsync(FuseRequest request, NodeId node, FileHandle? handle)
        => GetAttr?.Invoke(request, node) ?? base.GetAttrAsync(request, node, handle);

    public override ValueTask<int> ReadAsync(FuseRequest request, NodeId node, FileHandle handle, long offset, Memory<byte> destination)
        => Read?.Invoke(request, node, offset, destination) ?? base.ReadAsync(request, node, handle, offset, destination);

    public override ValueTask ReadDirAsync(FuseRequest request, NodeId node, FileHandle handle, long offset, FuseDirectoryBuffer buffer)
        => ReadDir?.Invoke(request, node, offset, buffer) ?? base.ReadDirAsync(request, node, handle, offset, buffer);

    public override ValueTask<byte[]?> GetXAttrAsync(FuseRequest request, NodeId node, string name)
    {
        if (XAttrs is null)
        {
            return base.GetXAttrAsync(request, node, name);
        }

        return ValueTask.FromResult(XAttrs.GetValueOrDefault(name));
    }

    public override ValueTask<IReadOnlyList<string>> ListXAttrAsync(FuseRequest request, NodeId node)
        => XAttrs is null ? base.ListXAttrAsync(request, node) : ValueTask.FromResult<IReadOnlyList<string>>(XAttrs.Keys.Order(StringComparer.Ordinal).ToList());
}
