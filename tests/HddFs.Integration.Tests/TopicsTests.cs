using HddFs.Testing;

namespace HddFs.Integration.Tests;

/// <summary>Joining and leaving topics on a running daemon changes who it admits, and is remembered.</summary>
public sealed class TopicsTests
{
    [Fact]
    public async Task JoinAtRuntime_Connects_LeaveDisconnects_AndJoinIsPersisted()
    {
        using var root = new TempDirectory("hddfs-topics");
        var port = Party.FreeUdpPort();
        var portText = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var a = await DaemonProcess.StartAsync(Path.Combine(root.Path, "a"), ["start", "--topic", "films", "--port", portText, "--no-mqtt", "--no-mdns"]);
        var bData = Path.Combine(root.Path, "b");
        var b = await DaemonProcess.StartAsync(bData, ["start", "--topic", "music", "--peer", $"127.0.0.1:{port}", "--no-mqtt", "--no-mdns"]);
        try
        {
            using var bControl = b.Control();
            await Task.Delay(1500);
            Assert.DoesNotContain(await bControl.GetPeersAsync(default), p => !p.Self);

            await bControl.JoinTopicAsync("films", default);
            await Wait.UntilAsync(() => bControl.GetPeersAsync(default).GetAwaiter().GetResult().Any(p => !p.Self && p.Connected), TimeSpan.FromSeconds(20), "b to be admitted by a after joining films");
            var peer = (await bControl.GetPeersAsync(default)).Single(p => !p.Self);
            Assert.Equal(["films"], peer.Topics);

            await bControl.LeaveTopicAsync("films", default);
            await Wait.UntilAsync(() => !bControl.GetPeersAsync(default).GetAwaiter().GetResult().Any(p => !p.Self && p.Connected), TimeSpan.FromSeconds(20), "the connection to close after leaving films");

            await bControl.JoinTopicAsync("films", default);
            await b.StopAsync();
        }
        finally
        {
            await b.DisposeAsync();
        }

        // Restarted without --topic films: the joined topic was remembered.
        await using var again = await DaemonProcess.StartAsync(bData, ["start", "--peer", $"127.0.0.1:{port}", "--no-mqtt", "--no-mdns"]);
        using var control = again.Control();
        Assert.Equal(["music", "films"], (await control.GetTopicsAsync(default)).Select(t => t.Name));
        await Wait.UntilAsync(() => control.GetPeersAsync(default).GetAwaiter().GetResult().Any(p => !p.Self && p.Connected), TimeSpan.FromSeconds(20), "reconnected after restart");
    }
}
