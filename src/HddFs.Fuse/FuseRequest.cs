namespace HddFs.Fuse;

/// <summary>
/// One kernel request in flight: who asked (uid/gid/pid of the calling process) and a token that fires
/// when the kernel INTERRUPTs the request (the caller got a signal) or the session ends.
/// The binding answers the request exactly once, with whatever the operation returned or threw;
/// an operation whose ValueTask never completes leaves the calling process waiting until it is
/// interrupted or the filesystem is unmounted — that is a bug in the filesystem.
/// </summary>
/// <remarks>
/// Thread rules: created on a reader thread; <see cref="CancellationToken"/> may be read from any thread;
/// the answered flag is set with an interlocked exchange, so of two racing answers exactly one wins and
/// the other throws.
/// </remarks>
public sealed class FuseRequest
{
    // Created lazily: most requests finish without anyone looking at the token.
    private CancellationTokenSource? _cts;
    private int _interrupted;
    private int _answered;

    internal FuseRequest(in Interop.fuse_in_header header)
    {
        Unique = header.unique;
        Opcode = (FuseOpcode)header.opcode;
        NodeId = new NodeId(header.nodeid);
        Uid = header.uid;
        Gid = header.gid;
        Pid = header.pid;
        StartTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();
    }

    /// <summary>The kernel's request id; unique among requests in flight.</summary>
    public ulong Unique { get; }

    public FuseOpcode Opcode { get; }

    /// <summary>The node the request is about (the parent directory for name operations).</summary>
    public NodeId NodeId { get; }

    public uint Uid { get; }

    public uint Gid { get; }

    /// <summary>Thread-group id of the caller; 0 for requests the kernel makes on its own (readahead).</summary>
    public uint Pid { get; }

    /// <summary>Fires on INTERRUPT or session end; an operation that then throws OperationCanceledException is answered EINTR.</summary>
    public CancellationToken CancellationToken
    {
        get
        {
            var cts = Volatile.Read(ref _cts);
            if (cts is null)
            {
                var created = new CancellationTokenSource();
                cts = Interlocked.CompareExchange(ref _cts, created, null) ?? created;
                if (!ReferenceEquals(cts, created))
                {
                    created.Dispose();
                }

                // Pairs with Interrupt(): each side publishes with a full fence, then reads the other's
                // field, so at least one of them sees both and cancels.
                if (Volatile.Read(ref _interrupted) != 0)
                {
                    _ = cts.CancelAsync();
                }
            }

            return cts.Token;
        }
    }

    public bool IsInterrupted => Volatile.Read(ref _interrupted) != 0;

    internal long StartTimestamp { get; }

    internal bool IsAnswered => Volatile.Read(ref _answered) != 0;

    /// <summary>Claims the single answer. Throws if the request was already answered.</summary>
    internal void MarkAnswered()
    {
        if (Interlocked.Exchange(ref _answered, 1) != 0)
        {
            throw new InvalidOperationException($"FUSE request {Unique} ({Opcode}) was already answered.");
        }
    }

    /// <summary>
    /// Cancels the token. Callbacks run on the thread pool (CancelAsync) so a reader thread handling
    /// INTERRUPT never runs filesystem code.
    /// </summary>
    internal void Interrupt()
    {
        if (Interlocked.Exchange(ref _interrupted, 1) != 0)
        {
            return;
        }

        var cts = Volatile.Read(ref _cts);
        if (cts is not null)
        {
            _ = cts.CancelAsync();
        }
    }

    public override string ToString() => $"{Opcode} unique={Unique} node={NodeId} uid={Uid} pid={Pid}";
}
