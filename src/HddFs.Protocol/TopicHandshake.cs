using System.Security.Cryptography;
using HddFs.Core;

namespace HddFs.Protocol;

/// <summary>
/// The topic part of the hello exchange. The client sends a proof for each topic it joined; the
/// server keeps the topics whose proof verifies against one of its own (<see cref="MatchTopics"/>),
/// answers with its proofs for exactly those, and the client checks them the same way. Each side
/// admits the other only with at least one matching topic. Hello keys are derived per call and
/// wiped after use.
/// </summary>
public static class TopicHandshake
{
    public const string HelloKeyPurpose = "hello";

    /// <summary>A hello for the current version with one proof per topic (at most <see cref="Hello.MaxProofs"/>).</summary>
    public static Hello CreateHello(IEnumerable<TopicKey> topics, HelloRole role, PeerId self, PeerId other)
        => new(ProtocolVersion.Current, ProtocolVersion.Minimum, CreateProofs(topics, role, self, other));

    /// <summary>One proof per distinct topic, in order.</summary>
    public static IReadOnlyList<TopicProof> CreateProofs(IEnumerable<TopicKey> topics, HelloRole role, PeerId self, PeerId other)
    {
        ArgumentNullException.ThrowIfNull(topics);
        var distinct = topics.Distinct().ToList();
        if (distinct.Count > Hello.MaxProofs)
        {
            throw new ArgumentException($"A hello proves at most {Hello.MaxProofs} topics, got {distinct.Count}.", nameof(topics));
        }

        var proofs = new TopicProof[distinct.Count];
        for (var i = 0; i < proofs.Length; i++)
        {
            var helloKey = distinct[i].Derive(HelloKeyPurpose);
            try
            {
                proofs[i] = TopicProof.Compute(helloKey, role, self, other);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(helloKey);
            }
        }

        return proofs;
    }

    /// <summary>
    /// The topics of <paramref name="joined"/> (each once, in order) for which <paramref name="received"/>
    /// holds a proof made by <paramref name="sender"/> acting as <paramref name="senderRole"/> for
    /// <paramref name="self"/>. Empty means the sender must not be admitted.
    /// </summary>
    public static IReadOnlyList<TopicKey> MatchTopics(IEnumerable<TopicKey> joined, Hello received, HelloRole senderRole, PeerId sender, PeerId self)
    {
        ArgumentNullException.ThrowIfNull(joined);
        ArgumentNullException.ThrowIfNull(received);
        var matched = new List<TopicKey>();
        foreach (var topic in joined.Distinct())
        {
            var helloKey = topic.Derive(HelloKeyPurpose);
            try
            {
                // No early exit: every proof is checked against every topic.
                var found = false;
                foreach (var proof in received.Proofs)
                {
                    found |= proof.Verify(helloKey, senderRole, sender, self);
                }

                if (found)
                {
                    matched.Add(topic);
                }
            }
            finally
            {
                CryptographicOperations.ZeroMemory(helloKey);
            }
        }

        return matched;
    }
}
