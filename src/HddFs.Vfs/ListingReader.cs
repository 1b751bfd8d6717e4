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
    public sealed record Result(RemoteEntry[] SortedEntries, int Invalid);

    public static async Task<Result> ReadAsync(IRemoteShares shares, SharePath directory, int maxEntries, ProgressDeadline deadline)
    {
        var token = deadline.Token;
        var entries = new List<RemoteEntry>();
        var names = new HashSet<string>(StringComparer.Ordinal);
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
                foreach (var entry in enumerator.Current ?? [])
                {
                    if (entry is null || entry.Path.IsRoot || entry.Size < 0)
                    {
                        invalid++;
                        continue;
                    }

                    if (entry.Path == directory)
                    {
                        throw new VfsException(VfsError.NotADirectory, $"'{directory}' is a file now.");
                    }

                    if (entry.Path.Parent != directory || !names.Add(entry.Name))
                    {
                        invalid++;
                        continue;
                    }

                    if (entries.Count == maxEntries)
                    {
                        throw new VfsException(VfsError.IoError, $"'{directory}' has more than {maxEntries} entries.");
                    }

                    entries.Add(entry);
                }
            }
        }
        finally
        {
            await DisposeAsync(enumerator, pending).ConfigureAwait(false);
        }

        var sorted = entries.ToArray();
        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new Result(sorted, invalid);
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
