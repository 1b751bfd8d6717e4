using HddFs.Core;
using HddFs.Discovery.Announcements;

namespace HddFs.Discovery.Mdns;

// Receiving: queries to answer and responses to learn from. Everything is hostile: a failed check
// drops the packet or the entry (Debug log), nothing throws out of here.
public sealed partial class MdnsPeerFinder
{
    private async Task HandlePacketAsync(MdnsPacket packet, CancellationToken cancellationToken)
    {
        DnsMessage message;
        try
        {
            message = DnsMessageReader.Parse(packet.Data);
        }
        catch (DnsFormatException ex)
        {
            _logger.MdnsGarbage(packet.From, ex.Message);
            return;
        }

        if (message.Opcode != 0 || message.ResponseCode != 0)
        {
            return;
        }

        if (!message.IsResponse)
        {
            await HandleQueryAsync(packet, message, cancellationToken);
            return;
        }

        // RFC 6762 §6 and §11: responses come from port 5353 and from this link.
        if (packet.From.Port != MdnsSocket.Port || !packet.Socket.Interface.IsOnLink(packet.From.Address))
        {
            _logger.MdnsGarbage(packet.From, "response not from port 5353 on this link");
            return;
        }

        await HandleResponseAsync(packet, message, cancellationToken);
    }

    private async Task HandleQueryAsync(MdnsPacket packet, DnsMessage query, CancellationToken cancellationToken)
    {
        if (_advertisedInfo is null || query.Questions.Count == 0)
        {
            return;
        }

        var forUs = false;
        var meta = false;
        foreach (var q in query.Questions)
        {
            var any = q.Type == DnsType.Any;
            forUs |= (q.Name.Equals(MdnsRecords.Service) && (q.Type == DnsType.Ptr || any))
                     || (q.Name.Equals(_records.Instance) && (q.Type is DnsType.Srv or DnsType.Txt || any))
                     || (q.Name.Equals(_records.Host) && (q.Type is DnsType.A or DnsType.Aaaa || any));
            meta |= q.Name.Equals(MdnsRecords.ServicesMeta) && (q.Type == DnsType.Ptr || any);
        }

        if (!forUs && !meta)
        {
            return;
        }

        if (packet.From.Port != MdnsSocket.Port)
        {
            await RespondLegacyAsync(packet.Socket, query, packet.From, meta, cancellationToken);
            return;
        }

        // Known-answer suppression (RFC 6762 §7.1): the querier already has our PTR with over half its TTL.
        var known = query.Answers.Any(a =>
            a.Type == DnsType.Ptr
            && a.Name.Equals(MdnsRecords.Service)
            && a.Data is DnsPtrData p
            && p.Target.Equals(_records.Instance)
            && a.Ttl >= TtlSeconds / 2);
        if (known && !meta)
        {
            return;
        }

        var index = packet.Socket.Interface.Index;
        if (!_pending.TryGetValue(index, out var pending))
        {
            var delay = TimeSpan.FromMilliseconds(Random.Shared.Next(20, 121));
            _pending[index] = new PendingResponse(_time.GetUtcNow() + delay, meta);
        }
        else if (meta && !pending.IncludeMeta)
        {
            _pending[index] = pending with { IncludeMeta = true };
        }
    }

    private async Task HandleResponseAsync(MdnsPacket packet, DnsMessage response, CancellationToken cancellationToken)
    {
        var records = response.AllRecords.ToList();
        var now = _time.GetUtcNow();
        foreach (var ptr in records)
        {
            if (ptr.Type != DnsType.Ptr || !ptr.Name.Equals(MdnsRecords.Service) || ptr.Data is not DnsPtrData { Target: var instance })
            {
                continue;
            }

            if (instance.Equals(_records.Instance))
            {
                continue; // our own, looped back
            }

            var srv = records.FirstOrDefault(r => r.Type == DnsType.Srv && r.Name.Equals(instance))?.Data as DnsSrvData;
            var txt = records.FirstOrDefault(r => r.Type == DnsType.Txt && r.Name.Equals(instance))?.Data as DnsTxtData;
            if (ptr.Ttl == 0)
            {
                _instances.Remove(instance); // unsigned: forget it locally, but no departure without a signed goodbye
            }
            else
            {
                _instances[instance] = new CachedInstance(now, TimeSpan.FromSeconds(ptr.Ttl), 0);
            }

            if (txt is null)
            {
                _logger.MdnsGarbage(packet.From, "PTR without TXT in the same message");
                continue;
            }

            foreach (var entry in MdnsRecords.TopicEntries(txt))
            {
                if (OpenEntry(entry, packet, out var topic) is not { } announcement)
                {
                    continue;
                }

                if (ptr.Ttl == 0 && !announcement.IsGoodbye)
                {
                    continue; // a TTL-0 record with a live entry: nothing to learn
                }

                var ttl = TimeSpan.FromSeconds(Math.Min(ptr.Ttl, announcement.ValidFor.TotalSeconds));
                DiscoveryEvent e = announcement.IsGoodbye
                    ? new DepartedPeer(announcement.Peer, topic, DiscoverySource.Mdns, DepartureReason.Goodbye, now) { AnnouncedAt = announcement.Timestamp }
                    : new DiscoveredPeer(
                        announcement.Peer,
                        topic,
                        MdnsRecords.Endpoints(packet.From.Address, records, srv?.Target, announcement.Port, packet.Socket.Interface.Index),
                        DiscoverySource.Mdns,
                        announcement.Nat,
                        now,
                        ttl)
                    { AnnouncedAt = announcement.Timestamp };
                await _life.Writer.WriteAsync(e, cancellationToken);
            }
        }
    }

    /// <summary>Tries every joined topic's key on one TXT entry; returns the accepted announcement.</summary>
    private Announcement? OpenEntry(byte[] entry, MdnsPacket packet, out TopicKey topic)
    {
        topic = null!;
        foreach (var candidate in _advertisedTopics.Values)
        {
            var rejection = AnnouncementCodec.TryOpen(entry, candidate, AnnouncementPurpose.Mdns, out var announcement);
            if (rejection == AnnouncementRejection.Undecryptable)
            {
                continue; // another topic's entry (or garbage): try the next key
            }

            if (rejection == AnnouncementRejection.None)
            {
                rejection = _replays.Check(announcement!, candidate);
            }

            if (rejection != AnnouncementRejection.None)
            {
                if (rejection != AnnouncementRejection.Own)
                {
                    _logger.AnnouncementRejected(Name, packet.From, rejection);
                }

                return null;
            }

            topic = candidate;
            return announcement;
        }

        return null;
    }
}
