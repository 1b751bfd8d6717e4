using System.Net;
using System.Threading.Channels;
using HddFs.Discovery.Stun;
using HddFs.Quic;

namespace HddFs.Daemon;

/// <summary>
/// STUN over the QUIC endpoint's own UDP socket, so the public mapping STUN observes is the one peers
/// must dial. Pumps the endpoint's non-QUIC datagrams into a bounded channel (drop-oldest), keeping
/// only STUN messages; other stray datagrams are dropped here.
/// </summary>
internal sealed class QuicDatagramTransport : IDatagramTransport, IAsyncDisposable
{
    private readonly QuicEndpoint _endpoint;
    private readonly Channel<Datagram> _received = Channel.CreateBounded<Datagram>(new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;

    public QuicDatagramTransport(QuicEndpoint endpoint)
    {
        _endpoint = endpoint;
        _pump = PumpAsync(_stop.Token);
    }

    public IPEndPoint? LocalEndPoint => _endpoint.LocalEndPoint;

    public ChannelReader<Datagram> Received => _received.Reader;

    public ValueTask SendAsync(IPEndPoint destination, ReadOnlyMemory<byte> datagram, CancellationToken cancellationToken)
        => _endpoint.SendDatagramAsync(destination, datagram, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _pump;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task PumpAsync(CancellationToken cancellationToken)
    {
        await foreach (var datagram in _endpoint.NonQuicDatagrams.ReadAllAsync(cancellationToken))
        {
            if (StunClient.IsStunMessage(datagram.Data.Span))
            {
                _received.Writer.TryWrite(new Datagram(datagram.From, datagram.Data));
            }
        }
    }
}
