using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace HddFs.Shares;

/// <summary>
/// Runs one scan: <see cref="ShareIndexOptions.ScanWorkers"/> walkers read directories from a work
/// queue in parallel and hand each listing to the single writer (the caller's task) through a
/// bounded channel, which batches them into SQLite transactions. A walker sends a directory's
/// listing before it queues that directory's children, so the writer always sees a parent before
/// its children (FIFO channel) and can insert a child's row before its contents.
/// The work queue is unbounded: it holds at most the directories of the shares being scanned.
/// </summary>
internal static class Scanner
{
    private const int ListingChannelCapacity = 256;

    public static async Task<ScanResult> RunAsync(
        IndexWriter writer, IReadOnlyList<ShareScan> shares, ScanContext context, ChangeSet changes, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var work = Channel.CreateUnbounded<DirectoryWork>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
        var listings = Channel.CreateBounded<DirectoryListing>(new BoundedChannelOptions(ListingChannelCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });

        var seeds = shares.SelectMany(Seed).ToList();
        var pending = seeds.Count;
        foreach (var seed in seeds)
        {
            work.Writer.TryWrite(seed);
        }

        if (pending == 0)
        {
            work.Writer.Complete();
        }

        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var walkers = Enumerable.Range(0, context.Options.ScanWorkers)
            .Select(_ => Task.Run(() => WalkAsync(work, listings.Writer, context, () => Interlocked.Increment(ref pending), () => Interlocked.Decrement(ref pending), failed.Token), failed.Token))
            .ToArray();
        var walkersDone = Task.WhenAll(walkers).ContinueWith(
            t => listings.Writer.TryComplete(t.Exception?.GetBaseException()),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

        writer.BeginScan();
        try
        {
            await foreach (var listing in listings.Reader.ReadAllAsync(cancellationToken))
            {
                writer.Apply(listing, changes);
            }

            await walkersDone;
            await Task.WhenAll(walkers);
            foreach (var share in shares)
            {
                writer.RecomputeSizes(share.Share.Id);
            }

            writer.Commit();
        }
        catch
        {
            await failed.CancelAsync();
            writer.Rollback();
            await walkersDone;
            throw;
        }

        return new ScanResult(context.DirectoriesChecked, context.DirectoriesListed, 0, context.EntriesSkipped, stopwatch.Elapsed);
    }

    /// <summary>The directories a share's scan starts from.</summary>
    private static IEnumerable<DirectoryWork> Seed(ShareScan share)
    {
        var rootBytes = share.NameBytes;
        switch (share.Mode)
        {
            case ScanMode.Deep:
                var root = share.Known[string.Empty];
                yield return new DirectoryWork(share, string.Empty, root.Id, share.IsNewShare, RecurseIntoKnown: true, CheckFirst: false, root.ChangeNs, rootBytes);
                break;

            case ScanMode.Quick:
            case ScanMode.Targeted:
                // Targets (directories named by watcher events) are read unconditionally; a directory
                // the index does not know yet is found by reading its nearest known ancestor.
                var targets = new HashSet<string>(StringComparer.Ordinal);
                foreach (var target in share.Targets)
                {
                    var path = target;
                    while (!share.Known.ContainsKey(path))
                    {
                        var slash = path.LastIndexOf('/');
                        path = slash < 0 ? string.Empty : path[..slash];
                    }

                    targets.Add(path);
                }

                foreach (var (path, known) in share.Known)
                {
                    var isTarget = targets.Contains(path);
                    if (isTarget || share.Mode == ScanMode.Quick)
                    {
                        yield return new DirectoryWork(share, path, known.Id, IsNew: false, RecurseIntoKnown: false, CheckFirst: !isTarget, known.ChangeNs, SharePathBytes(share, path));
                    }
                }

                break;
        }
    }

    private static int SharePathBytes(ShareScan share, string relativePath)
        => relativePath.Length == 0 ? share.NameBytes : share.NameBytes + 1 + Encoding.UTF8.GetByteCount(relativePath);

    private static async Task WalkAsync(
        Channel<DirectoryWork> work, ChannelWriter<DirectoryListing> listings, ScanContext context, Action queued, Func<int> finished, CancellationToken cancellationToken)
    {
        var reader = new DirectoryReader();
        try
        {
            await foreach (var item in work.Reader.ReadAllAsync(cancellationToken))
            {
                var listing = reader.Read(item, context);
                var children = Children(item, listing, context);
                await listings.WriteAsync(listing, cancellationToken);
                foreach (var child in children)
                {
                    queued();
                    work.Writer.TryWrite(child);
                }

                if (finished() == 0)
                {
                    work.Writer.TryComplete();
                }
            }
        }
        catch (Exception ex)
        {
            // Fail the whole scan at once: the writer stops reading, the other walkers stop waiting.
            listings.TryComplete(ex);
            work.Writer.TryComplete(ex);
            throw;
        }
    }

    /// <summary>Gives each subdirectory its id (known, or a fresh one when new) and decides which to
    /// read next: new ones always, known ones only in a deep scan. Sorts files by name so the writer
    /// appends to the files b-tree in key order.</summary>
    private static List<DirectoryWork> Children(DirectoryWork parent, DirectoryListing listing, ScanContext context)
    {
        var next = new List<DirectoryWork>();
        if (listing.Errno != 0 || listing.Unchanged)
        {
            listing.Files.Clear();
            listing.Directories.Clear();
            return next;
        }

        listing.Files.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        var directories = listing.Directories;
        for (var i = 0; i < directories.Count; i++)
        {
            var name = directories[i].Name;
            var path = parent.ChildPath(name);
            var bytes = parent.SharePathBytes + 1 + Encoding.UTF8.GetByteCount(name);
            if (!parent.IsNew && parent.Share.Known.TryGetValue(path, out var known))
            {
                directories[i] = new ScannedDirectory(name, known.Id, IsNew: false);
                if (parent.RecurseIntoKnown)
                {
                    next.Add(new DirectoryWork(parent.Share, path, known.Id, IsNew: false, RecurseIntoKnown: true, CheckFirst: false, known.ChangeNs, bytes));
                }
            }
            else
            {
                var id = context.NextDirectoryId();
                directories[i] = new ScannedDirectory(name, id, IsNew: true);
                next.Add(new DirectoryWork(parent.Share, path, id, IsNew: true, RecurseIntoKnown: true, CheckFirst: false, 0, bytes));
            }
        }

        return next;
    }
}
