using System.Runtime.CompilerServices;
using HddFs.Core;

namespace HddFs.Vfs;

/// <summary>
/// Reads one directory listing from a peer, page by page under a <see cref="ProgressDeadline"/>, and
/// keeps only entries that can be shown: direct children of the directory, non-negative sizes, each
/// name once (first wins). A peer that lists the directory itself as a file means the path is a file
/// now (<see cref="VfsError.NotADirectory"/>); more than the allowed number of entries fails the listing.
/// </summary>
internal static class ListingReader
{
    /// <summary>The listing's entries sorted by name (ordinal) and their names (computed once).</summary>
    public sealed record Result(RemoteEntry[] SortedEntries, string[] SortedNames, int Invalid);

    public static async Task<Result> ReadAsync(IRemoteShares shares, SharePath directory, int maxEntries, ProgressDeadline deadline)
    {
        var token = deadline.Token;
        var entries = new List<RemoteEntry>();
        var names = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var invalid = 0;
        var enumerator = shares.ListAsync(new LsQuery(directory), token).GetAsyncEnumerator(token);
        Task<bool>? pending = null;
        try
        {
            while (true)
            {
                pending = enumerator.MoveNextAsync().AsTask();
                if (!await pending.WaitAsync(token).ConfigureAwait(false))
                {
                    break;
                }

                pending = null;
                deadline.Progress();
                invalid += AddPage(enumerator.Current, directory, maxEntries, entries, names, seen);
            }
        }
        finally
        {
            await DisposeAsync(enumerator, pending).ConfigureAwait(false);
        }

        var sortedEntries = entries.ToArray();
        var sortedNames = names.ToArray();
        if (!IsSorted(sortedNames))
        {
            Array.Sort(sortedNames, sortedEntries, StringComparer.Ordinal);
        }

        return new Result(sortedEntries, sortedNames, invalid);
    }

    // The per-entry work of a page: keeps direct children with valid sizes, each name once. Returns the
    // entries ignored. (Optimized at once: a big listing is over before tiered JIT would promote it.)
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int AddPage(IReadOnlyList<RemoteEntry>? page, SharePath directory, int maxEntries, List<RemoteEntry> entries, List<string> names, HashSet<string> seen)
    {
        var invalid = 0;
        var prefix = directory.Value;
        var nameStart = directory.IsRoot ? 0 : prefix.Length + 1;
        foreach (var entry in page ?? [])
        {
            if (entry is null || entry.Path.IsRoot || entry.Size < 0)
            {
                invalid++;
                continue;
            }

            var path = entry.Path.Value;
            if (path.Length == prefix.Length && entry.Path == directory)
            {
                throw new VfsException(VfsError.NotADirectory, $"'{directory}' is a file now.");
            }

            // A direct child: "<directory>/<name>" with no further '/' (SharePath guarantees the rest).
            var child = path.Length > nameStart
                && (directory.IsRoot || (path[nameStart - 1] == '/' && path.StartsWith(prefix, StringComparison.Ordinal)))
                && path.IndexOf('/', nameStart) < 0;
            var name = child ? path[nameStart..] : null;
            if (name is null || !seen.Add(name))
            {
                invalid++;
                continue;
            }

            if (entries.Count == maxEntries)
            {
                throw new VfsException(VfsError.IoError, $"'{directory}' has more than {maxEntries} entries.");
            }

            entries.Add(entry);
            names.Add(name);
        }

        return invalid;
    }

    // Peers usually list in name order already (the share index does): then there is nothing to sort.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool IsSorted(string[] names)
    {
        for (var i = 1; i < names.Length; i++)
        {
            if (string.CompareOrdinal(names[i - 1], names[i]) > 0)
            {
                return false;
            }
        }

        return true;
    }

    // An enumerator cannot be disposed while a MoveNextAsync we stopped waiting for is still running:
    // dispose it once that call ends (it was cancelled, so it should end soon). Failures are ignored.
    private static async Task DisposeAsync(IAsyncEnumerator<IReadOnlyList<RemoteEntry>> enumerator, Task<bool>? pending)
    {
        if (pending is { IsCompleted: false })
        {
            _ = pending.ContinueWith(
                async _ =>
                {
                    try
                    {
                        await enumerator.DisposeAsync().ConfigureAwait(false);
                    }
                    catch (Exception)
                    {
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.None,
                TaskScheduler.Default);
            return;
        }

        try
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
        }
    }
}
