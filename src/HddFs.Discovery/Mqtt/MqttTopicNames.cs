using System.Security.Cryptography;
using HddFs.Core;

namespace HddFs.Discovery.Mqtt;

/// <summary>
/// Broker topic names. Each peer owns one "slot" per topic: <c>{prefix}/{rendezvous}/{slot}</c>,
/// where slot = hex(HMAC-SHA256(topic.Derive("mqtt-slot"), peer key))[..32]. The broker sees a stable,
/// opaque slot per (peer, topic) — it cannot compute it from a key, nor link one peer's slots across
/// topics — and a restarted peer overwrites its own retained message instead of leaving a stale one.
/// Topic members can compute it, which lets a receiver insist that the announcement in a slot is from
/// the slot's owner.
/// </summary>
internal static class MqttTopicNames
{
    public const int SlotLength = 32;

    public static string Filter(string prefix, TopicKey topic) => $"{prefix}/{topic.RendezvousId}/+";

    public static string For(string prefix, TopicKey topic, PeerId peer) => $"{prefix}/{topic.RendezvousId}/{Slot(topic, peer)}";

    public static string Slot(TopicKey topic, PeerId peer)
    {
        Span<byte> key = stackalloc byte[PeerId.Length];
        peer.CopyTo(key);
        var slotKey = topic.Derive("mqtt-slot");
        try
        {
            return Convert.ToHexStringLower(HMACSHA256.HashData(slotKey, key))[..SlotLength];
        }
        finally
        {
            CryptographicOperations.ZeroMemory(slotKey);
        }
    }

    /// <summary>Splits a received topic name; false for anything not exactly prefix/32 hex/32 hex.</summary>
    public static bool TryParse(string prefix, string? name, out string rendezvous, out string slot)
    {
        rendezvous = slot = "";
        if (name is null || name.Length != prefix.Length + 1 + 32 + 1 + SlotLength || !name.StartsWith(prefix + "/", StringComparison.Ordinal))
        {
            return false;
        }

        var rest = name.AsSpan(prefix.Length + 1);
        if (rest[32] != '/' || !IsLowerHex(rest[..32]) || !IsLowerHex(rest[33..]))
        {
            return false;
        }

        rendezvous = rest[..32].ToString();
        slot = rest[33..].ToString();
        return true;
    }

    private static bool IsLowerHex(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }
}
