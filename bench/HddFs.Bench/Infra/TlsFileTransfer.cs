using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace HddFs.Bench.Infra;

/// <summary>One file sent over TLS: bytes, wall time (connect to last byte) and the negotiated cipher suite.</summary>
internal sealed record TlsTransfer(long Bytes, TimeSpan Elapsed, TlsCipherSuite CipherSuite)
{
    public double MegabytesPerSecond => Bytes / Elapsed.TotalSeconds / 1e6;
}

/// <summary>
/// The raw-RPC baseline: a file's bytes over TLS 1.3 on TCP with SslStream, server and client in this process on
/// 127.0.0.1, a fresh self-signed ECDSA P-256 certificate (the client pins it), 1 MiB buffers on both sides. The
/// server reads the file the way a peer serves a `read` (sequential 1 MiB reads) and writes each chunk.
/// </summary>
internal static class TlsFileTransfer
{
    private const int BufferSize = 1 << 20;

    public static async Task<TlsTransfer> SendAsync(string path, CancellationToken cancellationToken)
    {
        using var certificate = CreateCertificate();
        var pinned = certificate.GetCertHash(HashAlgorithmName.SHA256);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(TimeSpan.FromMinutes(2));

        var stopwatch = Stopwatch.StartNew();
        var server = ServeAsync(listener, certificate, path, cts.Token);
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, port, cts.Token);
        await using var tls = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            EnabledSslProtocols = SslProtocols.Tls13,
            RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.GetCertHash(HashAlgorithmName.SHA256).AsSpan().SequenceEqual(pinned),
        }, cts.Token);
        if (tls.SslProtocol != SslProtocols.Tls13)
        {
            throw new InvalidOperationException($"negotiated {tls.SslProtocol}, not TLS 1.3");
        }

        var buffer = new byte[BufferSize];
        long total = 0;
        int read;
        while ((read = await tls.ReadAsync(buffer, cts.Token)) > 0)
        {
            total += read;
        }

        var elapsed = stopwatch.Elapsed;
        await server;
        return new TlsTransfer(total, elapsed, tls.NegotiatedCipherSuite);
    }

    private static async Task ServeAsync(TcpListener listener, X509Certificate2 certificate, string path, CancellationToken cancellationToken)
    {
        using var connection = await listener.AcceptTcpClientAsync(cancellationToken);
        connection.NoDelay = true;
        await using var tls = new SslStream(connection.GetStream(), leaveInnerStreamOpen: false);
        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
        {
            ServerCertificate = certificate,
            EnabledSslProtocols = SslProtocols.Tls13,
            ClientCertificateRequired = false,
        }, cancellationToken);
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        var buffer = new byte[BufferSize];
        long offset = 0;
        int read;
        while ((read = RandomAccess.Read(file, buffer, offset)) > 0)
        {
            await tls.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            offset += read;
        }

        await tls.ShutdownAsync();
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=hddfs-bench", key, HashAlgorithmName.SHA256);
        using var ephemeral = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));

        // Round-trip through PKCS#12 so the private key is usable by the TLS stack on every platform.
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), password: null);
    }
}
