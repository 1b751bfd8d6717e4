using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace HddFs.Quic.Tests;

/// <summary>
/// Two network namespaces joined by a veth pair (10.77.0.1 ↔ 10.77.0.2), optionally with nftables dropping a
/// random share of incoming UDP in both. Deleted on dispose (which also removes the veth pair), even after a failure.
/// </summary>
public sealed partial class NamespacePair : IDisposable
{
    private const int CLONE_NEWNET = 0x40000000;

    public NamespacePair(int lossPercent)
    {
        RemoveStale();
        var id = Guid.NewGuid().ToString("N")[..8];
        A = "hqa" + id;
        B = "hqb" + id;
        try
        {
            Sh($"ip netns add {A}");
            Sh($"ip netns add {B}");
            Sh($"ip link add va{id} netns {A} type veth peer name vb{id} netns {B}");
            Sh($"ip -n {A} addr add {AddressA}/24 dev va{id}");
            Sh($"ip -n {B} addr add {AddressB}/24 dev vb{id}");
            foreach (var (ns, dev) in new[] { (A, "va" + id), (B, "vb" + id) })
            {
                Sh($"ip -n {ns} link set lo up");
                Sh($"ip -n {ns} link set {dev} up");
                if (lossPercent > 0)
                {
                    Sh($"ip netns exec {ns} nft add table inet hqloss");
                    Sh($"ip netns exec {ns} nft add chain inet hqloss input {{ type filter hook input priority 0 \\; }}");
                    Sh($"ip netns exec {ns} nft add rule inet hqloss input meta l4proto udp numgen random mod 100 \\< {lossPercent} counter drop");
                }
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string A { get; }

    public string B { get; }

    public static string AddressA => "10.77.0.1";

    public static string AddressB => "10.77.0.2";

    /// <summary>Runs <paramref name="create"/> on a fresh thread that first joined namespace <paramref name="ns"/>:
    /// a socket keeps the namespace it was created in, whatever thread uses it later.</summary>
    public static T InNamespace<T>(string ns, Func<T> create)
    {
        T? result = default;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle($"/run/netns/{ns}");
                if (setns(handle, CLONE_NEWNET) != 0)
                {
                    throw new InvalidOperationException($"setns({ns}) failed: errno {Marshal.GetLastPInvokeError()}");
                }

                result = create();
            }
#pragma warning disable CA1031 // rethrown on the calling thread
            catch (Exception ex)
#pragma warning restore CA1031
            {
                error = ex;
            }
        });
        thread.Start();
        thread.Join();
        return error is null ? result! : throw new InvalidOperationException("in namespace " + ns, error);
    }

    /// <summary>A test process that was killed never ran Dispose: remove our namespaces (hqa*/hqb*) left over
    /// from such a run, once they are old enough not to belong to a run in progress.</summary>
    private static void RemoveStale()
    {
        if (!Directory.Exists("/run/netns"))
        {
            return;
        }

        foreach (var path in Directory.GetFiles("/run/netns", "hq[ab]*"))
        {
            var name = Path.GetFileName(path);
            if (name.Length == 11 && DateTime.UtcNow - File.GetLastWriteTimeUtc(path) > TimeSpan.FromMinutes(10))
            {
                Sh($"ip netns del {name}", check: false);
            }
        }
    }

    /// <summary>Packets the nft rule dropped in a namespace.</summary>
    public long Dropped(string ns)
    {
        var output = Sh($"ip netns exec {ns} nft list chain inet hqloss input");
        var at = output.IndexOf("packets ", StringComparison.Ordinal);
        return at < 0 ? 0 : long.Parse(output[(at + 8)..].Split(' ')[0]);
    }

    public void Dispose()
    {
        foreach (var ns in new[] { A, B })
        {
            if (File.Exists($"/run/netns/{ns}"))
            {
                Sh($"ip netns del {ns}", check: false);
            }
        }
    }

    private static string Sh(string command, bool check = true)
    {
        var psi = new ProcessStartInfo("/bin/sh", ["-c", command]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (check && p.ExitCode != 0)
        {
            throw new InvalidOperationException($"`{command}` failed: {stderr.Result}");
        }

        return stdout;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setns(SafeFileHandle fd, int nstype);
}
