namespace HddFs.Protocol.Tests;

/// <summary>Hex literals as written in docs/protocol.md: pairs of digits, spaces allowed.</summary>
internal static class Hex
{
    public static byte[] Bytes(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    public static string Repeat(string pair, int count) => string.Concat(Enumerable.Repeat(pair, count));

    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}
