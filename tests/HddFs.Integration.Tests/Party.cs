using System.Security.Cryptography;
using HddFs.Testing;

namespace HddFs.Integration.Tests;

/// <summary>
/// A two-peer party on loopback: <see cref="Server"/> shares <see cref="Source"/> (`hddfs start`),
/// <see cref="Client"/> mounts the party at <see cref="MountPoint"/> (`hddfs mount --peer`).
/// Everything (processes, mount, temp dirs) is removed on dispose, also after failures.
/// </summary>
public sealed class Party : IAsyncDisposable
{
    private Party(TempDirectory root, DaemonProcess server, DaemonProcess client, string serverName, string clientName)
    {
        Root = root;
        Server = server;
        Client = client;
        ServerName = serverName;
        ClientName = clientName;
    }

    public TempDirectory Root { get; }

    public DaemonProcess Server { get; }

    public DaemonProcess Client { get; }

    public string ServerName { get; }

    public string ClientName { get; }

    public string Source => Path.Combine(Root.Path, "share", "Library");

    public string MountPoint => Path.Combine(Root.Path, "mnt");

    /// <summary>The server's share as seen through the client's mount.</summary>
    public string Remote => Path.Combine(MountPoint, ServerName, "Library");

    public static async Task<Party> StartAsync(Action<string> populate, string[]? clientArgs = null, string topic = "party")
    {
        var root = new TempDirectory("hddfs-it");
        DaemonProcess? server = null;
        DaemonProcess? client = null;
        try
        {
            var source = Directory.CreateDirectory(Path.Combine(root.Path, "share", "Library")).FullName;
            populate(source);
            var port = FreeUdpPort();
            server = await DaemonProcess.StartAsync(
                Path.Combine(root.Path, "server"),
                ["start", "--topic", topic, "--share", source, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--no-mqtt", "--no-mdns"]);
            var mount = Directory.CreateDirectory(Path.Combine(root.Path, "mnt")).FullName;
            client = await DaemonProcess.StartAsync(
                Path.Combine(root.Path, "client"),
                ["mount", mount, "--topic", topic, "--peer", $"127.0.0.1:{port}", "--no-mqtt", "--no-mdns", .. clientArgs ?? []],
                mountPoint: mount);
            using var serverControl = server.Control();
            using var clientControl = client.Control();
            var serverName = (await serverControl.GetIdentityAsync(default)).Name;
            var clientName = (await clientControl.GetIdentityAsync(default)).Name;
            var party = new Party(root, server, client, serverName, clientName);
            await Wait.UntilAsync(() => Directory.Exists(party.Remote), TimeSpan.FromSeconds(20), $"{party.Remote} to appear\n{client.Output}");
            return party;
        }
        catch
        {
            if (client is not null)
            {
                await client.DisposeAsync();
            }

            if (server is not null)
            {
                await server.DisposeAsync();
            }

            root.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
        ProcessRunner.TryRun("umount", ["-l", MountPoint]);
        Root.Dispose();
    }

    public static int FreeUdpPort()
    {
        using var socket = new System.Net.Sockets.UdpClient(0);
        return ((System.Net.IPEndPoint)socket.Client.LocalEndPoint!).Port;
    }

    public static string Sha256(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>A deterministic tree: nested dirs, odd names, an empty file and dir, small and larger files.</summary>
    public static void StandardTree(string root)
    {
        File.WriteAllText(Path.Combine(root, "somefile"), "boop\n");
        Directory.CreateDirectory(Path.Combine(root, "subdir", "subsubdir"));
        File.WriteAllText(Path.Combine(root, "subdir", "anotherfile"), "again\n");
        File.WriteAllText(Path.Combine(root, "subdir", "subsubdir", "yetanotherfile"), "thing\n");
        Directory.CreateDirectory(Path.Combine(root, "empty dir"));
        File.WriteAllBytes(Path.Combine(root, "empty.txt"), []);
        var unicode = Directory.CreateDirectory(Path.Combine(root, "Bjørk – Homogenic (1997)")).FullName;
        for (var i = 0; i < 30; i++)
        {
            File.WriteAllBytes(Path.Combine(unicode, $"track {i:00}.flac"), Bytes(1000 + (i * 7919), i));
        }

        File.WriteAllBytes(Path.Combine(root, "film.mkv"), Bytes(24 * 1024 * 1024 + 12345, 99));
    }

    public static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}

public static class Wait
{
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Safe(condition))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout} waiting for {what}");
            }

            await Task.Delay(50);
        }
    }

    private static bool Safe(Func<bool> condition)
    {
        try
        {
            return condition();
        }
        catch (IOException)
        {
            return false;
        }
    }
}
