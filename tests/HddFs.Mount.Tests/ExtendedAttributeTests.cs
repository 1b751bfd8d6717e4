using System.Text;
using HddFs.Testing;

namespace HddFs.Mount.Tests;

/// <summary>The user.hddfs.* attributes through getfattr and getxattr(2).</summary>
public sealed class ExtendedAttributeTests
{
    [SystemTheory(Needs.Fuse)]
    [InlineData(CacheKind.InMemory)]
    [InlineData(CacheKind.Disk)]
    public async Task Getfattr_ShowsPeerKeyAndCachedBytesGrowingAfterARead(CacheKind cache)
    {
        await using var party = await MountedParty.StartAsync(cache);
        var file = party["bob/Videos/clip.bin"];
        var size = TestTree.Bob["Videos/clip.bin"].Content.Length;

        var before = await AttributesAsync(file);
        Assert.Equal(party.Bob.Peer.ToHex(), before["user.hddfs.peer"]);
        Assert.Equal("Videos/clip.bin", before["user.hddfs.path"]);
        Assert.Equal(size.ToString(System.Globalization.CultureInfo.InvariantCulture), before["user.hddfs.size"]);
        Assert.Equal("0", before["user.hddfs.cached"]);
        Assert.Equal("remote", before["user.hddfs.state"]);

        var buffer = new byte[100_000];
        Assert.Equal(buffer.Length, Libc.ReadAt(file, 0, buffer));
        var partial = await AttributesAsync(file);
        Assert.InRange(long.Parse(partial["user.hddfs.cached"], System.Globalization.CultureInfo.InvariantCulture), buffer.Length, size - 1);
        Assert.Equal("partial", partial["user.hddfs.state"]);

        _ = await File.ReadAllBytesAsync(file);
        var after = await AttributesAsync(file);
        Assert.Equal(size.ToString(System.Globalization.CultureInfo.InvariantCulture), after["user.hddfs.cached"]);
        Assert.Equal("cached", after["user.hddfs.state"]);

        Assert.True(File.Exists(party["bob/Share/other.bin"])); // its listing is cached: still browsable offline
        party.Party.SetConnected(party.Bob.Peer, false);
        Assert.Equal("offline", (await AttributesAsync(party["bob/Share/other.bin"]))["user.hddfs.state"]);
        Assert.Equal("offline", (await AttributesAsync(party["bob/Share"]))["user.hddfs.state"]);
        Assert.Equal("cached", (await AttributesAsync(file))["user.hddfs.state"]);
    }

    [SystemFact(Needs.Fuse)]
    public async Task Getxattr_OtherNames_IsEnodataInUserAndEopnotsuppElsewhere_AndListShowsOnlyOurs()
    {
        await using var party = await MountedParty.StartAsync();
        var file = party["alice/Docs/zero.bin"];

        Assert.Equal(-Libc.EOPNOTSUPP, Libc.GetXAttr(file, "security.selinux", null));
        Assert.Equal(-Libc.EOPNOTSUPP, Libc.GetXAttr(file, "system.posix_acl_access", null));
        Assert.Equal(-Libc.EOPNOTSUPP, Libc.GetXAttr(file, "trusted.x", null));
        Assert.Equal(-Libc.ENODATA, Libc.GetXAttr(file, "user.other", null));
        Assert.Equal(-Libc.ENODATA, Libc.GetXAttr(file, "user.hddfs.nothing", null));
        Assert.Equal(-Libc.ENODATA, Libc.GetXAttr(party.Root, "user.hddfs.peer", null));
        Assert.Equal(-Libc.ENODATA, Libc.GetXAttr(party["alice"], "user.hddfs.path", null)); // a peer has no path
        var size = Libc.GetXAttr(file, "user.hddfs.peer", null);
        Assert.Equal(64, size);
        var value = new byte[size];
        Assert.Equal(size, Libc.GetXAttr(file, "user.hddfs.peer", value));
        Assert.Equal(party.Alice.Peer.ToHex(), Encoding.UTF8.GetString(value));

        var list = (await Shell.RunAsync("getfattr", "-d", "-m", "-", "--absolute-names", party["alice"])).EnsureSuccess("getfattr peer");
        Assert.Contains("user.hddfs.peer=", list.Output, StringComparison.Ordinal);
        Assert.Contains("user.hddfs.state=\"online\"", list.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("user.hddfs.cached", list.Output, StringComparison.Ordinal);
        var root = (await Shell.RunAsync("getfattr", "-d", "-m", "-", "--absolute-names", party.Root)).EnsureSuccess("getfattr root");
        Assert.Equal("", root.Output.Trim());
    }

    [SystemFact(Needs.Fuse)]
    public async Task LsL_AsksForSelinuxAndAclOncePerRun_NotPerEntry()
    {
        await using var party = await MountedParty.StartAsync(fill: false);
        for (var i = 0; i < 300; i++)
        {
            party.Alice.AddFile($"Many/file-{i:D3}.txt", [1, 2, 3]);
        }

        var before = party.Mount.Adapter.GetXAttrCalls;
        var listing = (await Shell.RunAsync("ls", "-l", party["alice/Many"])).EnsureSuccess("ls -l");

        Assert.Equal(301, listing.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length); // "total" + 300
        Assert.InRange(party.Mount.Adapter.GetXAttrCalls - before, 1, 4);
        Assert.Contains("user.hddfs.state=\"remote\"", (await Shell.RunAsync("getfattr", "-d", "-m", "-", party["alice/Many/file-007.txt"])).Output, StringComparison.Ordinal);
    }

    [SystemFact(Needs.Fuse)]
    public async Task ExtendedAttributesOff_KernelStopsAsking()
    {
        await using var party = await MountedParty.StartAsync(mountOptions: new PartyMountOptions { ExtendedAttributes = false });
        var file = party["alice/Docs/zero.bin"];

        // ENOSYS once: the kernel then answers EOPNOTSUPP itself for every later call.
        Assert.Equal(-Libc.EOPNOTSUPP, Libc.GetXAttr(file, "user.hddfs.peer", null));
        Assert.Equal(-Libc.EOPNOTSUPP, Libc.GetXAttr(file, "security.selinux", null));
        (await Shell.RunAsync("ls", "-l", party["alice/Docs"])).EnsureSuccess("ls -l");
        Assert.Equal(0, party.Mount.Adapter.GetXAttrCalls);
    }

    [Fact]
    public void EveryVfsAttribute_IsInTheNamespaceTheAdapterAnswers()
    {
        string[] names = [HddFs.Vfs.VirtualFileSystem.PeerAttribute, HddFs.Vfs.VirtualFileSystem.PathAttribute, HddFs.Vfs.VirtualFileSystem.SizeAttribute, HddFs.Vfs.VirtualFileSystem.CachedAttribute, HddFs.Vfs.VirtualFileSystem.StateAttribute];
        Assert.All(names, name => Assert.StartsWith(VfsFuseAdapter.AttributePrefix, name, StringComparison.Ordinal));
    }

    private static async Task<Dictionary<string, string>> AttributesAsync(string path)
    {
        var result = (await Shell.RunAsync("getfattr", "-d", "-m", "user.hddfs", "--absolute-names", path)).EnsureSuccess("getfattr");
        return result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => line.Contains('=', StringComparison.Ordinal))
            .Select(line => line.Split('=', 2))
            .ToDictionary(parts => parts[0], parts => parts[1].Trim('"'), StringComparer.Ordinal);
    }
}
