using System.Text;

namespace HddFs.Discovery.Mdns;

/// <summary>
/// A domain name as a list of labels (without the root). Immutable; equality is ASCII
/// case-insensitive as DNS requires (RFC 1035 §2.3.3, RFC 6762 §16). Labels are 1..63 bytes of
/// UTF-8 and the whole name at most 255 bytes on the wire.
/// </summary>
internal sealed class DnsName : IEquatable<DnsName>
{
    public const int MaxLabelLength = 63;
    public const int MaxWireLength = 255;

    private readonly string[] _labels;
    private readonly string _key;

    public DnsName(IEnumerable<string> labels)
    {
        _labels = [.. labels];
        var wire = 1;
        foreach (var label in _labels)
        {
            var length = Encoding.UTF8.GetByteCount(label);
            if (length is 0 or > MaxLabelLength)
            {
                throw new ArgumentException($"A DNS label is 1..{MaxLabelLength} bytes, got {length}.", nameof(labels));
            }

            wire += 1 + length;
        }

        if (wire > MaxWireLength)
        {
            throw new ArgumentException($"A DNS name is at most {MaxWireLength} bytes, got {wire}.", nameof(labels));
        }

        WireLength = wire;
        _key = string.Join('.', _labels).ToUpperInvariant();
    }

    public IReadOnlyList<string> Labels => _labels;

    /// <summary>Uncompressed length on the wire (length bytes, labels, the root byte).</summary>
    public int WireLength { get; }

    /// <summary>Parses "a.b.local" (no escaping: our own names have no dots inside labels).</summary>
    public static DnsName Parse(string dotted) => new(dotted.TrimEnd('.').Split('.'));

    /// <summary>This name with <paramref name="label"/> in front.</summary>
    public DnsName Prepend(string label) => new([label, .. _labels]);

    public bool Equals(DnsName? other) => other is not null && string.Equals(_key, other._key, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as DnsName);

    public override int GetHashCode() => _key.GetHashCode(StringComparison.Ordinal);

    public override string ToString() => string.Join('.', _labels) + ".";

    /// <summary>The suffix starting at label <paramref name="index"/>, upper-cased: the compression key.</summary>
    internal string SuffixKey(int index) => string.Join('.', _labels.Skip(index)).ToUpperInvariant();
}
