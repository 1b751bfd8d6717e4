using System.Buffers;
using System.Threading.Channels;
using HddFs.Core;
using HddFs.Discovery.Announcements;
using MQTTnet;

namespace HddFs.Discovery.Mqtt;

// The listening side: runs on MQTTnet's receive path, concurrently with the connection loop.
// Everything from the broker is hostile: each check drops the message (Debug log) and returns.
public sealed partial class MqttPeerFinder
{
    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs args)
    {
        try
        {
            var message = args.ApplicationMessage;
            if (!MqttTopicNames.TryParse(_options.TopicPrefix, message.Topic, out var rendezvous, out var slot))
            {
                _logger.AnnouncementIgnored(Name, message.Topic ?? "?", "unexpected topic name");
                return;
            }

            TopicKey? topic;
            lock (_gate)
            {
                _wantedTopics.TryGetValue(rendezvous, out topic);
            }

            var payload = message.Payload;
            if (topic is null || payload.Length == 0)
            {
                return; // a topic we just left, or a cleared slot (the departure comes from the signed goodbye)
            }

            if (payload.Length > AnnouncementCodec.MaxSealedLength)
            {
                _logger.AnnouncementRejected(Name, message.Topic!, AnnouncementRejection.Malformed);
                return;
            }

            var rejection = AnnouncementCodec.TryOpen(payload.ToArray(), topic, AnnouncementPurpose.Mqtt, out var announcement);
            if (rejection == AnnouncementRejection.None && slot != MqttTopicNames.Slot(topic, announcement!.Peer))
            {
                _logger.AnnouncementIgnored(Name, message.Topic!, "announcement is not from the slot's owner");
                return;
            }

            if (rejection == AnnouncementRejection.None)
            {
                rejection = _replays.Check(announcement!, topic);
            }

            if (rejection != AnnouncementRejection.None)
            {
                _logger.AnnouncementRejected(Name, message.Topic!, rejection);
                return;
            }

            await _life.Writer.WriteAsync(ToEvent(announcement!, topic), _life.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException or ObjectDisposedException)
        {
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _logger.LoopFailed("mqtt receive", ex);
        }
    }

    private DiscoveryEvent ToEvent(Announcement a, TopicKey topic)
    {
        var now = _time.GetUtcNow();
        if (a.IsGoodbye)
        {
            return new DepartedPeer(a.Peer, topic, DiscoverySource.Mqtt, DepartureReason.Goodbye, now) { AnnouncedAt = a.Timestamp };
        }

        var endpoints = a.Endpoints.Where(e => !e.IsPublic).Concat(a.Endpoints.Where(e => e.IsPublic)).Select(e => e.EndPoint).Distinct().ToList();
        var publicEndPoint = a.Endpoints.FirstOrDefault(e => e.IsPublic).EndPoint;
        return new DiscoveredPeer(a.Peer, topic, endpoints, DiscoverySource.Mqtt, a.Nat, now, a.ValidFor, publicEndPoint) { AnnouncedAt = a.Timestamp };
    }
}
