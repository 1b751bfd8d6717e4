namespace HelloFs;

/// <summary>
/// The deterministic content of /data/big.bin: byte i is <c>Block[i % Period]</c>, where Block comes from
/// xorshift32 seeded with 2463534242. The period is a prime, so 4 KiB pages differ from each other;
/// reads are block copies (fast enough to measure the FUSE path, not the generator).
/// </summary>
internal static class Pattern
{
    public const int Period = 65521;

    public const string Description = "xorshift32(2463534242) mod 65521";

    private static readonly byte[] Block = Generate();

    public static void Fill(long offset, Span<byte> destination)
    {
        var position = (int)(offset % Period);
        while (!destination.IsEmpty)
        {
            var chunk = Math.Min(Period - position, destination.Length);
            Block.AsSpan(position, chunk).CopyTo(destination);
            destination = destination[chunk..];
            position = 0;
        }
    }

    private static byte[] Generate()
    {
        var block = new byte[Period];
        var state = 2463534242u;
        for (var i = 0; i < block.Length; i++)
        {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            block[i] = (byte)state;
        }

        return block;
    }
}
