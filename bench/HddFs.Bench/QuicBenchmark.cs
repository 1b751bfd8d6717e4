using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using HddFs.Quic;
using HddFs.Testing;

namespace HddFs.Bench;

/// <summary>
/// HddFs.Quic alone: 256 MiB over one QUIC stream between two endpoints in this process on 127.0.0.1, beside the
/// same bytes over TLS 1.3 on TCP with SslStream. Both sides write 1 MiB chunks from memory and read into 1 MiB
/// buffers; the handshake is not timed. Rounds alternate QUIC and TLS and the medians are compared. The defaults
/// send 64 KiB packets on this local path (<see cref="QuicEndpointOptions.MaxLocalDatagramSize"/>); variants printed
/// as notes (the measurements behind the defaults, native-notes/quic.md): CUBIC, and the standard packet size that
/// every path to another host uses, with and without GSO/GRO.
/// </summary>
internal sealed class QuicBenchmark : IBenchmark
{
    private const long Bytes = 256L << 20;
    private const int Chunk = 1 << 20;
    private const int Rounds = 3;

    public string Name => "quic";

    public string Description => "raw QUIC stream (ngtcp2 shim) vs TLS 1.3 over TCP (SslStream): 256 MiB on loopback, MB/s";

    public async Task RunAsync(BenchReport report, CancellationToken cancellationToken)
    {
        if (!QuicEndpoint.IsSupported)
        {
            throw new InvalidOperationException("libhddfs_quic.so is not available (make native)");
        }

        using var dir = new TempDirectory("hddfs-bench-quic");
        var (certificate, key) = CreateEd25519Identity(dir.Path);
        var payload = new byte[Chunk];
        new Random(1).NextBytes(payload);

        var quic = new List<Sample>();
        var tls = new List<Sample>();
        for (var round = 0; round < Rounds; round++)
        {
            quic.Add(await QuicOnceAsync(certificate, key, payload, QuicCongestionControl.Bbr, gso: true, largeLocalPackets: true, cancellationToken));
            tls.Add(await TlsOnceAsync(payload, cancellationToken));
        }

        report.Compare("raw QUIC stream", "MB/s", Median(quic, s => s.MegabytesPerSecond), "SslStream TLS1.3/TCP",
            Median(tls, s => s.MegabytesPerSecond), Better.Higher, 0.8);
        report.Note(Invariant($"CPU seconds per GB (both ends, this process): QUIC {Median(quic, s => s.CpuSecondsPerGigabyte):0.00}, TLS/TCP {Median(tls, s => s.CpuSecondsPerGigabyte):0.00}"));
        report.Note("QUIC rounds: " + string.Join(", ", quic.Select(s => s.ToString())));
        report.Note("TLS rounds:  " + string.Join(", ", tls.Select(s => s.ToString())));

        var cubic = new List<Sample>();
        var standard = new List<Sample>();
        var noGso = new List<Sample>();
        for (var round = 0; round < Rounds; round++)
        {
            cubic.Add(await QuicOnceAsync(certificate, key, payload, QuicCongestionControl.Cubic, gso: true, largeLocalPackets: true, cancellationToken));
            standard.Add(await QuicOnceAsync(certificate, key, payload, QuicCongestionControl.Bbr, gso: true, largeLocalPackets: false, cancellationToken));
            noGso.Add(await QuicOnceAsync(certificate, key, payload, QuicCongestionControl.Bbr, gso: false, largeLocalPackets: false, cancellationToken));
        }

        report.Note(Invariant($"QUIC CUBIC: {Median(cubic, s => s.MegabytesPerSecond):0} MB/s ({string.Join(", ", cubic)})"));
        report.Note(Invariant($"QUIC BBR, standard packets (≤ 1452 bytes, as to another host): {Median(standard, s => s.MegabytesPerSecond):0} MB/s, {Median(standard, s => s.CpuSecondsPerGigabyte):0.00} CPU s/GB ({string.Join(", ", standard)})"));
        report.Note(Invariant($"QUIC BBR, standard packets without GSO/GRO: {Median(noGso, s => s.MegabytesPerSecond):0} MB/s, {Median(noGso, s => s.CpuSecondsPerGigabyte):0.00} CPU s/GB ({string.Join(", ", noGso)})"));
    }

    private static async Task<Sample> QuicOnceAsync(string certificate, string key, byte[] payload, QuicCongestionControl cc, bool gso,
        bool largeLocalPackets, CancellationToken cancellationToken)
    {
        QuicEndpointOptions Options() => new()
        {
            LocalEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            CertificatePem = certificate,
            PrivateKeyPem = key,
            ApplicationProtocol = "hddfs-bench/1",
            CongestionControl = cc,
            UseGso = gso,
            UseGro = gso,
            MaxLocalDatagramSize = largeLocalPackets ? QuicEndpointOptions.DefaultMaxLocalDatagramSize : 0,
        };
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(TimeSpan.FromMinutes(2));
        await using var server = QuicEndpoint.Create(Options());
        await using var client = QuicEndpoint.Create(Options());
        var accept = server.AcceptConnectionAsync(cts.Token).AsTask();
        await using var connection = await client.ConnectAsync(server.LocalEndPoint, cts.Token);
        await using var accepted = await accept;

        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        var reader = Task.Run(async () =>
        {
            await using var stream = await accepted.AcceptInboundStreamAsync(cts.Token);
            return await DrainAsync(stream, cts.Token);
        }, cts.Token);
        await using (var stream = await connection.OpenBidirectionalStreamAsync(cts.Token))
        {
            for (long sent = 0; sent < Bytes; sent += payload.Length)
            {
                await stream.WriteAsync(payload, cts.Token);
            }

            stream.CompleteWrites();
            var received = await reader;
            if (received != Bytes)
            {
                throw new InvalidOperationException($"QUIC delivered {received} of {Bytes} bytes");
            }
        }

        return new Sample(Bytes, stopwatch.Elapsed, Process.GetCurrentProcess().TotalProcessorTime - cpu);
    }

    private static async Task<Sample> TlsOnceAsync(byte[] payload, CancellationToken cancellationToken)
    {
        using var certificate = CreateTlsCertificate();
        var pinned = certificate.GetCertHash(HashAlgorithmName.SHA256);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(TimeSpan.FromMinutes(2));
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var serverSide = Task.Run(async () =>
        {
            using var tcp = await listener.AcceptTcpClientAsync(cts.Token);
            tcp.NoDelay = true;
            await using var tls = new SslStream(tcp.GetStream());
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = certificate,
                EnabledSslProtocols = SslProtocols.Tls13,
            }, cts.Token);
            return await DrainAsync(tls, cts.Token);
        }, cts.Token);
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port, cts.Token);
        await using var stream = new SslStream(client.GetStream());
        await stream.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            EnabledSslProtocols = SslProtocols.Tls13,
            RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.GetCertHash(HashAlgorithmName.SHA256).AsSpan().SequenceEqual(pinned),
        }, cts.Token);

        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        for (long sent = 0; sent < Bytes; sent += payload.Length)
        {
            await stream.WriteAsync(payload, cts.Token);
        }

        client.Client.Shutdown(SocketShutdown.Send);
        var received = await serverSide;
        if (received != Bytes)
        {
            throw new InvalidOperationException($"TLS delivered {received} of {Bytes} bytes");
        }

        return new Sample(Bytes, stopwatch.Elapsed, Process.GetCurrentProcess().TotalProcessorTime - cpu);
    }

    private static async Task<long> DrainAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[Chunk];
        long total = 0;
        int n;
        while ((n = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += n;
        }

        return total;
    }

    /// <summary>A self-signed Ed25519 certificate and PKCS#8 key made by GnuTLS's certtool (package gnutls-bin).</summary>
    private static (string Certificate, string Key) CreateEd25519Identity(string dir)
    {
        var key = Path.Combine(dir, "key.pem");
        var cert = Path.Combine(dir, "cert.pem");
        var template = Path.Combine(dir, "cert.tmpl");
        File.WriteAllText(template, "cn = \"hddfs-bench\"\nserial = 1\nexpiration_days = 30\nsigning_key\n");
        Certtool($"--generate-privkey --key-type=ed25519 --no-text --outfile {key}");
        Certtool($"--generate-self-signed --load-privkey {key} --template {template} --no-text --outfile {cert}");
        return (File.ReadAllText(cert), File.ReadAllText(key));
    }

    private static void Certtool(string arguments)
    {
        var psi = new ProcessStartInfo("certtool", arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("certtool (gnutls-bin) is missing");
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"certtool {arguments}: {stderr.Result}");
        }
    }

    private static X509Certificate2 CreateTlsCertificate()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", ecdsa, HashAlgorithmName.SHA256);
        using var ephemeral = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null);
    }

    private static double Median(List<Sample> samples, Func<Sample, double> value)
    {
        var sorted = samples.Select(value).Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private sealed record Sample(long Bytes, TimeSpan Elapsed, TimeSpan Cpu)
    {
        public double MegabytesPerSecond => Bytes / Elapsed.TotalSeconds / 1e6;

        public double CpuSecondsPerGigabyte => Cpu.TotalSeconds / (Bytes / 1e9);

        public override string ToString() => Invariant($"{MegabytesPerSecond:0} MB/s");
    }
}
