using System.Diagnostics;
using System.Globalization;
using HddFs.Core;
using HddFs.Testing;
using Xunit.Abstractions;

namespace HddFs.Vfs.Tests;

/// <summary>
/// Where the VFS spends its time listing 10,000 entries (no kernel): the fake peer's pages alone, then
/// each step of a listing refresh and of READDIRPLUS, and the whole path the kernel drives. A
/// measurement: runs only with HDDFS_MEASURE=1, prints medians of 7 rounds, and still checks results.
/// </summary>
public sealed class ListingMeasurements(ITestOutputHelper output)
{
    private const int Entries = 10_000;

    [MeasureFact]
    public async Task Listing10k_PhaseByPhase()
    {
        var shares = new FakeRemoteShares(FakeRemoteShares.NewPeerId(2)) { PageSize = 1000 };
        for (var i = 0; i < Entries; i++)
        {
            shares.AddFile($"Big/many/file-{i:D5}.txt", new byte[100]);
        }

        var directory = SharePath.Parse("Big/many");
        var key = new NodeKey(shares.Peer, directory);
        var numbering = new InodeNumbering();
        var phases = new Dictionary<string, List<double>>();
        void Record(string phase, Stopwatch watch)
        {
            (phases.TryGetValue(phase, out var list) ? list : phases[phase] = []).Add(watch.Elapsed.TotalMilliseconds);
            watch.Restart();
        }

        for (var round = 0; round < 7; round++)
        {
            // Pages arrive as the peer sends them; the reader's work per entry is what is measured.
            var pages = new List<IReadOnlyList<RemoteEntry>>();
            await foreach (var page in shares.ListAsync(new LsQuery(directory), CancellationToken.None))
            {
                pages.Add(page);
            }

            var replay = new ReplayShares(shares.Peer, pages);
            var watch = Stopwatch.StartNew();
            using var deadline = new ProgressDeadline(TimeSpan.FromSeconds(30), TimeProvider.System, CancellationToken.None);
            var result = await ListingReader.ReadAsync(replay, directory, 1_000_000, deadline);
            Record("ListingReader (filter, dedupe, sort)", watch);

            var inos = new ulong[result.SortedEntries.Length];
            for (var i = 0; i < inos.Length; i++)
            {
                inos[i] = numbering.Primary(new NodeKey(shares.Peer, result.SortedEntries[i].Path));
            }

            Record("inode numbers (keyed hash)", watch);
            var nodes = new NodeTable(numbering);
            nodes.ResolveInos(shares.Peer, result.SortedEntries, inos);
            Record("ResolveInos", watch);
            var listing = new DirectoryListing(key, result.SortedEntries, result.SortedNames, inos);
            Record("DirectoryListing (index, totals)", watch);
            var acquired = new ulong[25];
            for (var i = 0; i < listing.Entries.Length; i += 25)
            {
                nodes.AcquireRange(listing, 2, i, Math.Min(25, listing.Entries.Length - i), acquired);
            }

            Record("NodeTable.AcquireRange, 400 batches of 25 (READDIRPLUS nodes)", watch);
            Assert.Equal(Entries, listing.Entries.Length);
            Assert.Equal(Entries + 1, nodes.Count);
        }

        var times = new List<double>();
        for (var round = 0; round < 7; round++)
        {
            await using var mount = TestMount.Create(
                party =>
                {
                    party.Add(shares, "alice");
                    return [shares];
                },
                new VfsOptions());
            var watch = Stopwatch.StartNew();
            var dir = await mount.WalkAsync("alice/Big/many");
            var all = await mount.ListAsync(dir.Node, plus: true, chunk: 25);
            times.Add(watch.Elapsed.TotalMilliseconds);
            Assert.Equal(Entries + 2, all.Count);
        }

        foreach (var (phase, values) in phases)
        {
            output.WriteLine($"{phase}: median {Median(values):0.00} ms");
        }

        output.WriteLine($"whole: lookups + opendir + READDIRPLUS of {Entries} in batches of 25 (fake peer included): median {Median(times):0.0} ms [{string.Join(", ", times.Select(t => t.ToString("0.0", CultureInfo.InvariantCulture)))}]");
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    // Replays recorded pages (no per-call work of the fake peer in the figures).
    private sealed class ReplayShares(PeerId peer, List<IReadOnlyList<RemoteEntry>> pages) : IRemoteShares
    {
        public PeerId Peer => peer;

        public async IAsyncEnumerable<IReadOnlyList<RemoteEntry>> ListAsync(LsQuery query, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            foreach (var page in pages)
            {
                await Task.Yield();
                yield return page;
            }
        }

        public ValueTask<RemoteRead> ReadAsync(SharePath path, long offset, long length, CancellationToken cancellationToken)
            => throw new NotSupportedException();
    }
}
