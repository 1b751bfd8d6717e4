using System.Diagnostics;
using System.Net.Sockets;

namespace HddFs.Testing;

/// <summary>
/// A mosquitto broker running inside a test namespace (listening on all its addresses), which can be
/// stopped (SIGKILL, like a crash) and started again on the same port. Killed by PID on dispose.
/// </summary>
public sealed class NamespacedBroker : IDisposable
{
    private readonly NetworkNamespace _ns;
    private readonly TempDirectory _dir = new("hddfs-broker");
    private readonly string _config;
    private Process? _process;

    public NamespacedBroker(NetworkNamespace ns, int port = 18830)
    {
        _ns = ns;
        Port = port;
        _config = _dir.WriteFile("mosquitto.conf", $"listener {port} 0.0.0.0\nallow_anonymous true\npersistence false\nlog_dest none\n");
        File.SetUnixFileMode(_dir.Path, (UnixFileMode)0x1ED); // 0755: mosquitto drops to its own user
        Start();
    }

    public int Port { get; }

    public string UrlFor(System.Net.IPAddress address) => $"mqtt://{address}:{Port}";

    public void Start()
    {
        var exe = MosquittoFixture.Executable ?? throw new InvalidOperationException("mosquitto is not installed (make test installs it)");
        _process = _ns.StartProcess(exe, ["-c", _config]);
        var watch = Stopwatch.StartNew();
        while (!_ns.Run(Accepts))
        {
            if (_process.HasExited || watch.Elapsed > TimeSpan.FromSeconds(15))
            {
                throw new InvalidOperationException("mosquitto did not start in the namespace");
            }

            Thread.Sleep(25);
        }
    }

    public void Stop()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }

        _process?.Dispose();
        _process = null;
    }

    public void Dispose()
    {
        Stop();
        _dir.Dispose();
    }

    private bool Accepts()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(System.Net.IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
