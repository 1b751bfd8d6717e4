using HddFs.Core;
using HddFs.Discovery.Announcements;
using MQTTnet;
using MQTTnet.Protocol;

namespace HddFs.Discovery.Mqtt;

// The publishing side: subscriptions and retained announcements follow the wanted state.
// Runs only on the connection loop (or in DisposeAsync after it ended).
public sealed partial class MqttPeerFinder
{
    private async Task SyncAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        var (topics, info) = Wanted();

        // Leave: goodbye + clear where we announced, then stop listening.
        foreach (var (rendezvous, topic) in _announced.Where(a => !topics.ContainsKey(a.Key)).ToList())
        {
            await WithdrawAsync(client, topic, cancellationToken);
            _replays.Forget(topic);
        }

        var leaving = _subscribed.Where(s => !topics.ContainsKey(s)).ToList();
        if (leaving.Count > 0)
        {
            var unsubscribe = new MqttClientUnsubscribeOptionsBuilder();
            foreach (var rendezvous in leaving)
            {
                unsubscribe.WithTopicFilter($"{_options.TopicPrefix}/{rendezvous}/+");
            }

            await client.UnsubscribeAsync(unsubscribe.Build(), cancellationToken);
            _subscribed.ExceptWith(leaving);
        }

        // Join: one SUBSCRIBE for all new topics; the broker then sends their retained announcements.
        var joining = topics.Values.Where(t => !_subscribed.Contains(t.RendezvousId)).ToList();
        if (joining.Count > 0)
        {
            var subscribe = new MqttClientSubscribeOptionsBuilder();
            foreach (var topic in joining)
            {
                subscribe.WithTopicFilter(new MqttTopicFilterBuilder()
                    .WithTopic(MqttTopicNames.Filter(_options.TopicPrefix, topic))
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                    .WithNoLocal(true)
                    .WithRetainHandling(MqttRetainHandling.SendAtSubscribe));
            }

            var result = await client.SubscribeAsync(subscribe.Build(), cancellationToken);
            foreach (var item in result.Items)
            {
                if (item.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2)
                {
                    _logger.MqttSubscribeRefused(item.TopicFilter.Topic, item.ResultCode.ToString());
                }
            }

            _subscribed.UnionWith(joining.Select(t => t.RendezvousId));
        }

        if (info is null)
        {
            return; // listen only until the daemon tells us our port
        }

        // Announce: everything on an info change or when the period is up, else only new topics.
        var now = _time.GetUtcNow();
        var all = !info.Equals(_announcedInfo) || now >= _nextAnnounce;
        foreach (var topic in topics.Values)
        {
            if (all || !_announced.ContainsKey(topic.RendezvousId))
            {
                await PublishAnnouncementAsync(client, topic, info, cancellationToken);
                _announced[topic.RendezvousId] = topic;
            }
        }

        if (all)
        {
            _announcedInfo = info;
            _nextAnnounce = now + _options.AnnounceInterval;
        }
    }

    private async Task PublishAnnouncementAsync(IMqttClient client, TopicKey topic, LocalAnnouncement info, CancellationToken cancellationToken)
    {
        var expiry = _options.EffectiveExpiry;
        var payload = _sealer.Seal(topic, AnnouncementPurpose.Mqtt, info, expiry, goodbye: false, withEndpoints: true);
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(MqttTopicNames.For(_options.TopicPrefix, topic, _sealer.Self))
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(true)
            .WithMessageExpiryInterval((uint)Math.Max(1, Math.Ceiling(expiry.TotalSeconds)))
            .Build();
        var result = await client.PublishAsync(message, cancellationToken);
        if (!result.IsSuccess)
        {
            _logger.MqttPublishRefused(topic, result.ReasonCode.ToString());
        }
    }

    /// <summary>A signed goodbye (not retained: it is news, not state), then an empty retained
    /// message, which deletes ours on the broker.</summary>
    private async Task WithdrawAsync(IMqttClient client, TopicKey topic, CancellationToken cancellationToken)
    {
        var name = MqttTopicNames.For(_options.TopicPrefix, topic, _sealer.Self);
        var info = _announcedInfo ?? Wanted().Info;
        if (info is not null)
        {
            var goodbye = _sealer.Seal(topic, AnnouncementPurpose.Mqtt, info, TimeSpan.Zero, goodbye: true, withEndpoints: false);
            await client.PublishAsync(
                new MqttApplicationMessageBuilder()
                    .WithTopic(name)
                    .WithPayload(goodbye)
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                    .Build(),
                cancellationToken);
        }

        await client.PublishAsync(
            new MqttApplicationMessageBuilder()
                .WithTopic(name)
                .WithPayload(Array.Empty<byte>())
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .WithRetainFlag(true)
                .Build(),
            cancellationToken);
        _announced.Remove(topic.RendezvousId);
    }
}
