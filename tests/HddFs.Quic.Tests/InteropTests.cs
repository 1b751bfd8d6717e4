using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using HddFs.Testing;

namespace HddFs.Quic.Tests;

/// <summary>Skipped outside CI when ngtcp2's example programs (Debian ngtcp2-client / ngtcp2-server) are missing.</summary>
public sealed class InteropFactAttribute : FactAttribute
{
    public InteropFactAttribute()
    {
        if (!TestEnvironment.IsCi && !(TestEnvironment.HasProgram("gtlsserver") && TestEnvironment.HasProgram("gtlsclient")))
        {
            Skip = "needs gtlsclient/gtlsserver (Debian ngtcp2-client, ngtcp2-server; installed by make test)";
        }
    }
}

/// <summary>
/// Against a QUIC stack we did not write: ngtcp2's example HTTP/3 client and server (same library, separate
/// code: their own event loop, TLS setup and stream handling). Both sides authenticate with our Ed25519 test
/// certificates.
/// </summary>
public sealed class InteropTests
{
    [InteropFact]
    public async Task OurClient_AgainstGtlsServer_FetchesAFileOverHttp3()
    {
        using var dir = new TempDirectory("hddfs-quic-interop");
        var content = new byte[300_000];
        new Random(11).NextBytes(content);
        dir.WriteFile("htdocs/file.bin", content);
        var key = dir.WriteFile("bob.key", TestIdentity.Bob.PrivateKeyPem);
        var cert = dir.WriteFile("bob.crt", TestIdentity.Bob.CertificatePem);
        var port = FreeUdpPort();
        using var server = Start("gtlsserver", $"-q --verify-client --htdocs={dir.Combine("htdocs")} 127.0.0.1 {port} {key} {cert}");

        await using var endpoint = Quic.Endpoint(TestIdentity.Alice, o => Http3Options(o));
        var ct = Quic.Token();
        var connection = await ConnectWithRetryAsync(endpoint, new IPEndPoint(IPAddress.Loopback, port), TestIdentity.Bob.PublicKey, ct);
        Assert.Equal(TestIdentity.Bob.PublicKey, connection.PeerPublicKey.ToArray());
        var drain = DrainInboundStreamsAsync(connection);

        await using var control = await connection.OpenUnidirectionalStreamAsync(ct);
        await control.WriteAsync(Http3.ControlStreamPreamble, ct); // never closed: closing it is an HTTP/3 error
        await using var request = await connection.OpenBidirectionalStreamAsync(ct);
        await request.WriteAsync(Http3.GetRequest($"127.0.0.1:{port}", "/file.bin"), completeWrites: true, ct);
        var (status, body) = Http3.ParseResponse(await request.ReadToEndAsync(ct));

        Assert.Equal(200, status);
        Assert.Equal(content, body);
        await connection.CloseAsync(0x100, ct); // H3_NO_ERROR
        await connection.DisposeAsync();
        await drain;
    }

    [InteropFact]
    public async Task GtlsClient_AgainstOurServer_FetchesWithItsClientCertificate()
    {
        using var dir = new TempDirectory("hddfs-quic-interop");
        var body = new byte[200_000];
        new Random(12).NextBytes(body);
        await using var endpoint = Quic.Endpoint(TestIdentity.Bob, o => Http3Options(o));
        var serving = ServeOneRequestAsync(endpoint, body);

        var key = dir.WriteFile("alice.key", TestIdentity.Alice.PrivateKeyPem);
        var cert = dir.WriteFile("alice.crt", TestIdentity.Alice.CertificatePem);
        var downloads = dir.Combine("downloads");
        Directory.CreateDirectory(downloads);
        var port = endpoint.LocalEndPoint.Port;
        var (exit, output) = await RunAsync("gtlsclient",
            $"-q --exit-on-all-streams-close --download={downloads} --key={key} --cert={cert} 127.0.0.1 {port} https://127.0.0.1:{port}/data.bin");

        Assert.True(exit == 0, output);
        Assert.Equal(body, File.ReadAllBytes(Path.Combine(downloads, "data.bin")));
        var peerKey = await serving.WaitAsync(Quic.Timeout);
        Assert.Equal(TestIdentity.Alice.PublicKey, peerKey);
    }

    [InteropFact]
    public async Task GtlsClient_WithoutCertificate_IsRejectedByDefault()
    {
        using var dir = new TempDirectory("hddfs-quic-interop");
        await using var endpoint = Quic.Endpoint(TestIdentity.Bob, o => Http3Options(o));
        var serving = ServeOneRequestAsync(endpoint, "secret"u8.ToArray());
        var downloads = dir.Combine("downloads");
        Directory.CreateDirectory(downloads);
        var port = endpoint.LocalEndPoint.Port;
        var (_, output) = await RunAsync("gtlsclient",
            $"--exit-on-all-streams-close --timeout=3s --download={downloads} 127.0.0.1 {port} https://127.0.0.1:{port}/x");

        // gtlsclient exits 0 whatever happens: judge by what it received (nothing) and why it stopped
        Assert.False(File.Exists(Path.Combine(downloads, "x")) && new FileInfo(Path.Combine(downloads, "x")).Length > 0);
        Assert.Contains("CONNECTION_CLOSE", output);
        Assert.Contains("0x174", output); // 0x100 + TLS alert 116 certificate_required
        Assert.False(serving.IsCompleted);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await endpoint.AcceptConnectionAsync(cts.Token));
    }

    [InteropFact]
    public async Task GtlsClient_WithoutCertificate_IsAcceptedWhenNotRequired()
    {
        using var dir = new TempDirectory("hddfs-quic-interop");
        await using var endpoint = Quic.Endpoint(TestIdentity.Bob, o => HandshakeTests.Copy(Http3Options(o), requireClientCert: false));
        var serving = ServeOneRequestAsync(endpoint, "anonymous"u8.ToArray());
        var downloads = dir.Combine("downloads");
        Directory.CreateDirectory(downloads);
        var port = endpoint.LocalEndPoint.Port;
        var (exit, output) = await RunAsync("gtlsclient",
            $"-q --exit-on-all-streams-close --download={downloads} 127.0.0.1 {port} https://127.0.0.1:{port}/anon.txt");

        Assert.True(exit == 0, output);
        Assert.Equal("anonymous"u8.ToArray(), File.ReadAllBytes(Path.Combine(downloads, "anon.txt")));
        Assert.Empty(await serving.WaitAsync(Quic.Timeout));
    }

    private static QuicEndpointOptions Http3Options(QuicEndpointOptions o)
        => HandshakeTests.Copy(o, alpn: Http3.Alpn, maxUni: 8);

    /// <summary>Answers the first request on the first connection with 200 and <paramref name="body"/>; returns the
    /// client's key.</summary>
    private static async Task<byte[]> ServeOneRequestAsync(QuicEndpoint endpoint, byte[] body)
    {
        var ct = Quic.Token();
        await using var connection = await endpoint.AcceptConnectionAsync(ct);
        var uni = new List<QuicStream>();
        while (true)
        {
            var stream = await connection.AcceptInboundStreamAsync(ct);
            if (!stream.CanWrite)
            {
                uni.Add(stream); // control and QPACK streams: keep them open and drained
                _ = stream.ReadToEndAsync(ct).ContinueWith(_ => { }, TaskScheduler.Default);
                continue;
            }

            await using (stream)
            {
                var request = await stream.ReadToEndAsync(ct);
                Assert.Contains(1L, Http3.FrameTypes(request)); // HEADERS (nghttp3 may add reserved frame types)
                await stream.WriteAsync(Http3.OkResponse(body), completeWrites: true, ct);
                await connection.Closed.WaitAsync(ct); // the client closes when it has the response
            }

            return connection.PeerPublicKey.ToArray();
        }
    }

    private static async Task DrainInboundStreamsAsync(QuicConnection connection)
    {
        try
        {
            while (true)
            {
                var stream = await connection.AcceptInboundStreamAsync(CancellationToken.None);
                _ = stream.ReadToEndAsync(CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
        catch (QuicException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private static async Task<QuicConnection> ConnectWithRetryAsync(QuicEndpoint endpoint, IPEndPoint remote, byte[] key, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await endpoint.ConnectAsync(remote, ct, key);
            }
            catch (QuicException ex) when (ex.Error == QuicError.ConnectionRefused && attempt < 50)
            {
                await Task.Delay(100, ct); // the server process is still starting
            }
        }
    }

    private static int FreeUdpPort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    private static ProcessHandle Start(string program, string arguments)
    {
        var psi = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ProcessHandle(process);
    }

    private static async Task<(int Exit, string Output)> RunAsync(string program, string arguments)
    {
        var psi = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {arguments} did not exit");
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    private sealed class ProcessHandle(Process process) : IDisposable
    {
        public void Dispose()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }

            process.Dispose();
        }
    }
}
