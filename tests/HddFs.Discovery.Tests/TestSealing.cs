using System.Security.Cryptography;
using System.Text;
using HddFs.Core;
using HddFs.Discovery.Announcements;

namespace HddFs.Discovery.Tests;

/// <summary>Encrypts arbitrary plaintext the way the codec does — what an insider (knows the topic) can do.</summary>
internal static class TestSealing
{
    public static byte[] SealRaw(byte[] plaintext, TopicKey topic, AnnouncementPurpose purpose)
    {
        var output = new byte[12 + plaintext.Length + 16];
        RandomNumberGenerator.Fill(output.AsSpan(0, 12));
        using var aead = new ChaCha20Poly1305(topic.Derive(purpose.Label));
        aead.Encrypt(output.AsSpan(0, 12), plaintext, output.AsSpan(12, plaintext.Length), output.AsSpan(12 + plaintext.Length), Encoding.ASCII.GetBytes(topic.RendezvousId));
        return output;
    }
}
