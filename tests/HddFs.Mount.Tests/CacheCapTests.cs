using System.Globalization;
using HddFs.Cache;
using HddFs.Testing;
using Xunit.Abstractions;

namespace HddFs.Mount.Tests;

/// <summary>The bar "cache under load never above cap + 1 block", measured from outside with du while
/// readers stream several times the cap through the mount.</summary>
public sealed class CacheCapTests(ITestOutputHelper output)
{
    private const long Cap = 16L << 20;
    private const int BlockSize = 1 << 20;

    [SystemFact(Needs.Fuse)]
    public async Task DiskCache_UnderAReadLoadOfEightTimesItsCap_NeverExceedsCapPlusOneBlock()
    {
        await using var party = await MountedParty.StartAsync(CacheKind.Disk, cacheCapacity: Cap, blockSize: BlockSize, fill: false);
        var files = Enumerable.Range(0, 4).Select(i => (Path: $"Load/file{i}.bin", Content: FakeRemoteShares.Pattern(32 << 20, 100 + i))).ToList();
        foreach (var (path, content) in files)
        {
            party.Bob.AddFile(path, content);
        }

        var samples = new List<long>();
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var du = await Shell.RunAsync("du", ["-sb", party.CacheDirectory], TimeSpan.FromSeconds(10));
                if (du.Exit == 0)
                {
                    lock (samples)
                    {
                        samples.Add(long.Parse(du.Output.Split('\t')[0], CultureInfo.InvariantCulture));
                    }
                }

                await Task.Delay(10);
            }
        });

        try
        {
            // Four readers at a time, each file twice (the second pass finds most blocks evicted again).
            foreach (var pass in new[] { 0, 1 })
            {
                var readers = files.Select(f => Shell.ShAsync($"dd if='{party["bob/" + f.Path]}' bs=1M status=none | sha256sum", TimeSpan.FromSeconds(60))).ToList();
                var results = await Task.WhenAll(readers);
                for (var i = 0; i < files.Count; i++)
                {
                    var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(files[i].Content));
                    Assert.Equal(expected, results[i].EnsureSuccess($"pass {pass} read").Output.Split(' ')[0]);
                }

                (await Shell.RunAsync("sh", ["-c", string.Join(';', files.Select(f => $"dd if='{party["bob/" + f.Path]}' iflag=nocache count=0 status=none"))], TimeSpan.FromSeconds(30))).EnsureSuccess("drop pages");
            }
        }
        finally
        {
            await stop.CancelAsync();
            await sampler;
        }

        var cache = (DiskBlockCache)party.Cache;
        long max;
        lock (samples)
        {
            max = samples.Max();
            output.WriteLine($"{samples.Count} du samples, max {max} bytes (cap {Cap}, block {BlockSize}); read {party.Bob.BytesServed >> 20} MiB from the peer; cache used {cache.UsedBytes}, evictions {cache.GetStatistics().Evictions}");
            Assert.True(samples.Count >= 10, $"only {samples.Count} samples");
        }

        Assert.True(max <= Cap + BlockSize, $"du -sb reached {max} bytes, above the cap {Cap} + one block");
        Assert.True(max >= Cap / 2, $"du -sb never got near the cap ({max}): the test did not load the cache");
        Assert.True(party.Bob.BytesServed >= 4 * Cap, "the readers did not go through the peer");
        Assert.True(cache.GetStatistics().Evictions > 0);
    }
}
