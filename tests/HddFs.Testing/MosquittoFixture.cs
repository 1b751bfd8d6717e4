using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace HddFs.Testing;

/// <summary>
/// A private mosquitto broker on 127.0.0.1 for one test: a free port, a generated config
/// (anonymous, no persistence, so a restart forgets retained messages like a real broker crash
/// without a disk), optionally TLS with a fresh self-signed certificate for 127.0.0.1.
/// <see cref="Stop"/> and <see cref="Start"/> restart it on the same port (broker-loss tests).
/// Dispose kills the process it started, by PID.
/// </summary>
public sealed class MosquittoFixture : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);

    // Guarded by _gate: the running broker, if any.
    private readonly Lock _gate = new();
    private readonly TempDirectory _dir = new("hddfs-mosquitto");
    private readonly string _configPath;
    private readonly System.Text.StringBuilder _log = new();
    private Process? _process;
    private string? _finalLog;

    public MosquittoFixture(bool useTls = false, bool start = true)
    {
        Port = FreeTcpPort();
        UseTls = useTls;
        // As root mosquitto drops to the "mosquitto" user: its log goes into a directory that user
        // can write (its stdout is block-buffered through a pipe and lost on SIGKILL).
        var logDir = _dir.Combine("log");
        Directory.CreateDirectory(logDir);
        File.SetUnixFileMode(logDir, (UnixFileMode)0x1FF); // 0777
        LogPath = Path.Combine(logDir, "mosquitto.log");
        var config = new List<string>
        {
            $"listener {Port} 127.0.0.1",
            "allow_anonymous true",
            "persistence false",
            $"log_dest file {LogPath}",
            "log_type error",
            "log_type warning",
            "log_type notice",
            "log_type information",
        };
        if (useTls)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(san.Build());
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
            CertificatePem = cert.ExportCertificatePem();
            var certPath = _dir.WriteFile("broker.crt", CertificatePem);
            var keyPath = _dir.WriteFile("broker.key", key.ExportPkcs8PrivateKeyPem());
            config.Add($"certfile {certPath}");
            config.Add($"keyfile {keyPath}");
        }

        _configPath = _dir.WriteFile("mosquitto.conf", string.Join('\n', config) + "\n");
        if (start)
        {
            Start();
        }
    }

    /// <summary>The absolute path of mosquitto: on PATH, else /usr/sbin (Debian installs it there).</summary>
    public static string? Executable =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/sbin", "/usr/local/sbin"])
            .Select(dir => Path.Combine(dir, "mosquitto"))
            .FirstOrDefault(File.Exists);

    public int Port { get; }

    public bool UseTls { get; }

    /// <summary>The broker's certificate (PEM) when <see cref="UseTls"/>; trust it in the client.</summary>
    public string? CertificatePem { get; }

    public string Url => $"{(UseTls ? "mqtts" : "mqtt")}://127.0.0.1:{Port}";

    public bool IsRunning
    {
        get
        {
            lock (_gate)
            {
                return _process is { HasExited: false };
            }
        }
    }

    private string LogPath { get; }

    /// <summary>The broker's log so far, across restarts (for failure messages); kept after dispose.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                if (_finalLog is not null)
                {
                    return _finalLog;
                }
            }

            try
            {
                using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var reader = new StreamReader(stream);
                return _log + reader.ReadToEnd();
            }
            catch (IOException)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts the broker (on <see cref="Port"/>) and returns once it accepts TCP connections.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_process is { HasExited: false })
            {
                return;
            }

            _process?.Dispose();
            var exe = Executable ?? throw new InvalidOperationException("mosquitto is not installed (apt-get install mosquitto)");
            var psi = new ProcessStartInfo(exe)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(_configPath);
            _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start mosquitto");
            // Drain the pipes (the broker can never block on a full one) into the log.
            _process.OutputDataReceived += (_, e) => AppendLog(e.Data);
            _process.ErrorDataReceived += (_, e) => AppendLog(e.Data);
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();

            var deadline = Stopwatch.StartNew();
            while (true)
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"mosquitto exited with {_process.ExitCode}: {Log}");
                }

                if (UseTls ? Accepts() : AnswersConnect())
                {
                    return;
                }

                if (deadline.Elapsed > StartTimeout)
                {
                    throw new TimeoutException($"mosquitto did not accept on port {Port} within {StartTimeout.TotalSeconds} s: {Log}");
                }

                Thread.Sleep(25);
            }
        }
    }

    /// <summary>Kills the broker (SIGKILL: a crash, connections drop without a DISCONNECT).</summary>
    public void Stop()
    {
        lock (_gate)
        {
            if (_process is null)
            {
                return;
            }

            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill();
                    _process.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
            }

            _process.Dispose();
            _process = null;
        }
    }

    public void Dispose()
    {
        Stop();
        var log = Log;
        lock (_log)
        {
            _finalLog = log;
        }

        _dir.Dispose();
    }

    private void AppendLog(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            if (_log.Length < 1_000_000)
            {
                _log.AppendLine(line);
            }
        }
    }

    private bool Accepts()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// Ready means an MQTT 3.1.1 CONNECT gets a CONNACK "accepted" (a TCP accept alone can come
    /// before the broker serves clients).
    /// </summary>
    private bool AnswersConnect()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, Port);
            client.ReceiveTimeout = 1000;
            var stream = client.GetStream();
            // CONNECT: protocol "MQTT" level 4, clean session, keep-alive 60 s, client id "probe".
            stream.Write([0x10, 0x11, 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04, 0x02, 0x00, 0x3C, 0x00, 0x05, (byte)'p', (byte)'r', (byte)'o', (byte)'b', (byte)'e']);
            var connack = new byte[4];
            var read = 0;
            while (read < 4)
            {
                var n = stream.Read(connack, read, 4 - read);
                if (n == 0)
                {
                    return false;
                }

                read += n;
            }

            stream.Write([0xE0, 0x00]); // DISCONNECT
            return connack[0] == 0x20 && connack[1] == 0x02 && connack[3] == 0x00;
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            return false;
        }
    }

    /// <summary>
    /// A free port below the kernel's ephemeral range, so it can never be a client socket's source
    /// port at the same time (a listener with SO_REUSEADDR could otherwise share it).
    /// </summary>
    private static int FreeTcpPort()
    {
        var low = 32768;
        try
        {
            low = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or FormatException or UnauthorizedAccessException)
        {
        }

        var floor = Math.Max(1024, low - 12000);
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(floor, low);
            var listener = new TcpListener(IPAddress.Loopback, port);
            try
            {
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
            }
            finally
            {
                listener.Stop();
            }
        }

        throw new InvalidOperationException("no free TCP port below the ephemeral range");
    }
}
