using System.Net;
using HddFs.Discovery.Announcements;

namespace HddFs.Discovery.Mdns;

// Sending: announcements, responses, queries and goodbyes. Loop-owned state only.
public sealed partial class MdnsPeerFinder
{
    private uint TtlSeconds => (uint)Math.Ceiling(_options.RecordTtl.TotalSeconds);

    /// <summary>Fresh sealed entries (new timestamp and sequence each time, so every response is
    /// fresh for receivers' replay checks): live topics first, then goodbyes of topics just left.</summary>
    private List<byte[]> TopicEntries(bool goodbye)
    {
        var info = _advertisedInfo!;
        var entries = new List<byte[]>();
        foreach (var topic in _advertisedTopics.Values.Take(_options.MaxTopics))
        {
            entries.Add(_sealer.Seal(topic, AnnouncementPurpose.Mdns, info, _options.RecordTtl, goodbye, withEndpoints: false));
        }

        foreach (var topic in _leaving.Values.Take(_options.MaxTopics - entries.Count))
        {
            entries.Add(_sealer.Seal(topic, AnnouncementPurpose.Mdns, info, TimeSpan.Zero, goodbye: true, withEndpoints: false));
        }

        return entries;
    }

    private async Task AnnounceAsync(CancellationToken cancellationToken)
    {
        foreach (var socket in _sockets.Values)
        {
            var message = _records.Build(socket.Interface, (ushort)_advertisedInfo!.Port, TopicEntries(goodbye: false), TtlSeconds, unsolicited: true, includeMeta: false);
            await SendAsync(socket, message, MdnsSocket.GroupEndPoint, "announcement", cancellationToken);
        }

        _everAnnounced = true;
    }

    private async Task RespondAsync(MdnsSocket socket, bool includeMeta, CancellationToken cancellationToken)
    {
        if (_advertisedInfo is null)
        {
            return;
        }

        var message = _records.Build(socket.Interface, (ushort)_advertisedInfo.Port, TopicEntries(goodbye: false), TtlSeconds, unsolicited: false, includeMeta);
        await SendAsync(socket, message, MdnsSocket.GroupEndPoint, "response", cancellationToken);
        _everAnnounced = true;
    }

    /// <summary>RFC 6762 §6.7 legacy unicast: the querier's ID and question back, TTL at most 10 s.</summary>
    private async Task RespondLegacyAsync(MdnsSocket socket, DnsMessage query, IPEndPoint to, bool includeMeta, CancellationToken cancellationToken)
    {
        if (_advertisedInfo is null)
        {
            return;
        }

        var message = _records.Build(socket.Interface, (ushort)_advertisedInfo.Port, TopicEntries(goodbye: false), Math.Min(10, TtlSeconds), unsolicited: false, includeMeta, query.Id, query.Questions);
        await SendAsync(socket, message, to, "legacy response", cancellationToken);
    }

    private async Task QueryAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var known = new List<DnsRecord>();
        if (!_queryWithoutKnownAnswers)
        {
            // RFC 6762 §7.1: list what we know with more than half its TTL left; those stay quiet.
            foreach (var (name, cached) in _instances)
            {
                var remaining = cached.Ttl - (now - cached.Received);
                if (remaining > cached.Ttl / 2)
                {
                    known.Add(new DnsRecord(MdnsRecords.Service, DnsType.Ptr, (uint)remaining.TotalSeconds, new DnsPtrData(name)));
                }
            }
        }

        _queryWithoutKnownAnswers = false;
        var query = DnsMessage.Query([new DnsQuestion(MdnsRecords.Service, DnsType.Ptr)], known.Take(64).ToList());
        foreach (var socket in _sockets.Values)
        {
            await SendAsync(socket, query, MdnsSocket.GroupEndPoint, "query", cancellationToken);
        }
    }

    private async Task SendGoodbyeAsync(CancellationToken cancellationToken)
    {
        foreach (var socket in _sockets.Values)
        {
            var message = _records.Build(socket.Interface, (ushort)_advertisedInfo!.Port, TopicEntries(goodbye: true), 0, unsolicited: true, includeMeta: false);
            await SendAsync(socket, message, MdnsSocket.GroupEndPoint, "goodbye", cancellationToken);
        }
    }

    private async Task SendAsync(MdnsSocket socket, DnsMessage message, IPEndPoint to, string what, CancellationToken cancellationToken)
    {
        try
        {
            await socket.SendAsync(DnsMessageWriter.Write(message), to, cancellationToken);
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            // Interface gone or unreachable: the next rescan sorts it out.
            _logger.MdnsSendFailed(what, ex.Message);
            _nextRescan = _time.GetUtcNow();
        }
    }
}
