using System.Globalization;
using HddFs.Fuse;
using HddFs.Testing;

namespace HddFs.Mount.Tests;

/// <summary>Large directories through READDIRPLUS: every entry arrives with its attributes, and the lookup
/// references of entries that did not fit into a reply buffer go back to the VFS.</summary>
public sealed class DirectoryTests
{
    private const int Entries = 3_000;

    [SystemFact(Needs.Fuse)]
    public async Task LsL_OfABigDirectory_ListsEveryEntryWithItsSize()
    {
        await using var party = await MountedParty.StartAsync(fill: false);
        var expected = Fill(party);

        var listing = (await Shell.RunAsync("ls", "-l", "--time-style=+%s", party["alice/Big"])).EnsureSuccess("ls -l");

        var rows = listing.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Equal(Entries, rows.Count);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), rows.Select(r => r[^1]));
        Assert.All(rows, r => Assert.Equal(expected[r[^1]].ToString(CultureInfo.InvariantCulture), r[4]));
        Assert.All(rows, r => Assert.Equal((FakeRemoteShares.DefaultModifiedUnixMs / 1000).ToString(CultureInfo.InvariantCulture), r[5]));
    }

    [SystemFact(Needs.Fuse)]
    public async Task ReadDirPlus_EntriesThatDidNotFit_AreForgotten()
    {
        await using var party = await MountedParty.StartAsync(fill: false);
        var names = Fill(party).Keys.ToList();
        var directory = party["alice/Big"];
        Assert.True(Directory.Exists(directory));
        var baseline = party.Vfs.GetFileSystemStatistics().Files;

        Assert.Equal(Entries, Directory.EnumerateFiles(directory).Count());
        var afterListing = party.Vfs.GetFileSystemStatistics().Files;
        Assert.True(afterListing >= baseline + Entries, $"{afterListing} nodes after listing, {baseline} before");

        // Make the kernel drop every name it learnt from READDIRPLUS: each dropped inode comes back as a
        // FORGET. What it never received must already have been given back by the adapter.
        var ino = ulong.Parse((await Shell.RunAsync("stat", "-c", "%i", directory)).EnsureSuccess("stat").Output.Trim(), CultureInfo.InvariantCulture);
        foreach (var name in names)
        {
            party.Mount.Session.NotifyInvalidateEntry(new NodeId(ino), name);
        }

        Assert.True(
            SpinWait.SpinUntil(() => party.Vfs.GetFileSystemStatistics().Files <= baseline, TimeSpan.FromSeconds(10)),
            $"{party.Vfs.GetFileSystemStatistics().Files} nodes left, {baseline} before listing: lookup references leaked");
    }

    // Names of varied length, so reply buffers end at varied places (and the VFS returns more than fits).
    private static Dictionary<string, long> Fill(MountedParty party)
    {
        var expected = new Dictionary<string, long>(StringComparer.Ordinal);
        party.Alice.PageSize = 500;
        for (var i = 0; i < Entries; i++)
        {
            var name = $"f{i:D4}-{new string('x', i % 97)}.dat";
            var size = i * 7 % 1000;
            party.Alice.AddFile("Big/" + name, new byte[size]);
            expected[name] = size;
        }

        return expected;
    }
}
