using System.Net;

namespace HddFs.Quic.Tests;

/// <summary>Endpoints and connections for tests.</summary>
public static class Quic
{
    public const string Alpn = "hddfs-test/1";

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static QuicEndpoint Endpoint(TestIdentity identity, Func<QuicEndpointOptions, QuicEndpointOptions>? configure = null,
        IPAddress? address = null)
    {
        var options = new QuicEndpointOptions
        {
            LocalEndPoint = new IPEndPoint(address ?? IPAddress.Loopback, 0),
            CertificatePem = identity.CertificatePem,
            PrivateKeyPem = identity.PrivateKeyPem,
            ApplicationProtocol = Alpn,
        };
        return QuicEndpoint.Create(configure is null ? options : configure(options));
    }

    /// <summary>Client connects to server; returns both ends once the server accepted.</summary>
    public static async Task<(QuicConnection Client, QuicConnection Server)> ConnectAsync(QuicEndpoint client, QuicEndpoint server,
        ReadOnlyMemory<byte> expectedKey = default)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var accept = server.AcceptConnectionAsync(cts.Token).AsTask();
        var connection = await client.ConnectAsync(server.LocalEndPoint, cts.Token, expectedKey);
        return (connection, await accept);
    }

    public static CancellationToken Token(TimeSpan? timeout = null) => new CancellationTokenSource(timeout ?? Timeout).Token;
}

/// <summary>Two endpoints (Alice as client, Bob as server) disposed together.</summary>
public sealed class EndpointPair : IAsyncDisposable
{
    public EndpointPair(Func<QuicEndpointOptions, QuicEndpointOptions>? configure = null, IPAddress? address = null)
    {
        Server = Quic.Endpoint(TestIdentity.Bob, configure, address);
        Client = Quic.Endpoint(TestIdentity.Alice, configure, address);
    }

    public QuicEndpoint Client { get; }

    public QuicEndpoint Server { get; }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
    }
}
