using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace HddFs.Protocol.Tests;

/// <summary>
/// Random and mutated frames against the decoder. For every input: a message, "need more bytes" or
/// a <see cref="ProtocolException"/> that is the decoder's own verdict (no wrapped crash); the same
/// verdict whichever way the bytes arrive (one segment, many segments, a span, a stream); allocation
/// bounded by the frame actually present, and none at all while waiting for bytes; every decoded
/// message re-encodes. HDDFS_FUZZ_ITERATIONS sets the count (default 100,000; `make fuzz` 5,000,000);
/// HDDFS_FUZZ_SEED replays a failure (the seed is in every failure message).
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    /// <summary>Allocation allowed for decoding a frame of n bytes: the decoded objects only
    /// (per entry: path string, SharePath validation's split, the entry) — measured ≈ 15 n at worst.</summary>
    private static long AllocationBound(long frameLength) => (32 * frameLength) + 8192;

    /// <summary>A throw allocates the exception, its message and the captured stack trace.</summary>
    private const long ThrowAllowance = 64 * 1024;

    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x02, 0x7f, 0x80, 0x81, 0xff, 0x2f, 0x2e, 0xc0, 0xed, 0x04, 0x06, 0x11, 0x12];
    private static readonly MessageType[] Types = Enum.GetValues<MessageType>();

    [Fact]
    [Trait("Category", "Fuzz")]
    public void TryRead_RandomAndMutatedFrames_ReturnsMessageOrThrowsProtocolExceptionWithinBounds()
    {
        var iterations = EnvironmentInt("HDDFS_FUZZ_ITERATIONS", 100_000);
        var seed = EnvironmentInt("HDDFS_FUZZ_SEED", Random.Shared.Next());
        output.WriteLine($"fuzz seed {seed}, {iterations} iterations (replay with HDDFS_FUZZ_SEED={seed})");

        var random = new Random(seed);
        var corpus = Corpus(seed);
        var stats = new Stats();
        for (var i = 0; i < iterations; i++)
        {
            var input = random.Next(10) == 0 ? RandomFrame(random) : Mutate(corpus[random.Next(corpus.Length)], random);
            try
            {
                Check(input, random, stats, checkStream: i % 16 == 0);
            }
            catch (Exception ex)
            {
                throw new XunitException($"fuzz seed {seed} (HDDFS_FUZZ_SEED={seed}), iteration {i}, input {Hex.Of(input)}: {ex}");
            }
        }

        output.WriteLine($"decoded {stats.Decoded}, need more {stats.NeedMore}, rejected {stats.Rejected} "
            + $"(by kind: {string.Join(", ", stats.Kinds.Select(k => $"{k.Key} {k.Value}"))}); "
            + $"worst allocation {stats.WorstRatio:0.0} bytes per frame byte");

        // The fuzzer is only useful if it reaches every outcome; with these mutations each is common.
        Assert.True(stats.Decoded > iterations / 50, $"seed {seed}: only {stats.Decoded} inputs decoded");
        Assert.True(stats.NeedMore > iterations / 50, $"seed {seed}: only {stats.NeedMore} inputs incomplete");
        Assert.True(stats.Rejected > iterations / 5, $"seed {seed}: only {stats.Rejected} inputs rejected");
        foreach (var kind in new[] { ProtocolErrorKind.FrameTooLarge, ProtocolErrorKind.UnknownMessage, ProtocolErrorKind.Malformed, ProtocolErrorKind.InvalidField })
        {
            Assert.True(stats.Kinds.ContainsKey(kind), $"seed {seed}: no {kind} rejection");
        }
    }

    private static void Check(byte[] input, Random random, Stats stats, bool checkStream)
    {
        var verdict = DecodeMeasured(input, stats);

        // The same verdict from bytes cut into segments at random points.
        var cuts = Enumerable.Range(0, random.Next(1, 5)).Select(_ => random.Next(input.Length + 1)).ToArray();
        var segmented = Codec.Segmented(input, cuts);
        var before = GC.GetAllocatedBytesForCurrentThread();
        AssertSameVerdict(verdict, () => FrameReader.TryRead(ref segmented, out var m) ? m : null, "segmented");
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(
            allocated <= AllocationBound(input.Length) + ThrowAllowance,
            $"allocated {allocated} bytes decoding {input.Length} bytes in segments");

        // ... and from the span decoder, for which "need more" is Truncated.
        AssertSameVerdict(verdict, () => FrameReader.Decode(input, out _), "span", needMoreIsTruncated: true);

        if (checkStream)
        {
            AssertSameVerdict(verdict, () => ReadFromStream(input), "stream", needMoreIsTruncated: input.Length > 0);
        }

        if (verdict.Message is { } message)
        {
            // Whatever decodes must be encodable, decode to itself, and (being canonical) give back the same bytes.
            var again = FrameWriter.ToArray(message);
            Assert.Equal(message, Codec.DecodeWhole(again));
            var lenient = message is Hello || (message is ErrorResponse && !IsKnownErrorCode(input));
            if (!lenient)
            {
                Assert.Equal(Hex.Of(input.AsSpan(0, verdict.Consumed)), Hex.Of(again));
            }
        }
    }

    private static Verdict DecodeMeasured(byte[] input, Stats stats)
    {
        var buffer = new ReadOnlySequence<byte>(input);
        var before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            var complete = FrameReader.TryRead(ref buffer, out var message);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            var declared = input.Length >= 4 ? BinaryPrimitives.ReadUInt32BigEndian(input) : 0;
            if (!complete)
            {
                Assert.Equal(0, allocated);
                Assert.True(input.Length < 5 || input.Length < 4L + declared, "asked for more although the frame was complete");
                Assert.Equal(input.Length, buffer.Length);
                stats.NeedMore++;
                return default;
            }

            var consumed = (int)(input.Length - buffer.Length);
            Assert.Equal(4L + declared, consumed);
            Assert.True(allocated <= AllocationBound(consumed), $"allocated {allocated} bytes decoding a {consumed}-byte frame");
            stats.Decoded++;
            stats.WorstRatio = Math.Max(stats.WorstRatio, (double)allocated / consumed);
            return new Verdict(message, null, consumed);
        }
        catch (ProtocolException ex)
        {
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(ex.InnerException is null, $"the decoder crashed and was wrapped: {ex.InnerException}");
            Assert.True(allocated <= AllocationBound(input.Length) + ThrowAllowance, $"allocated {allocated} bytes rejecting {input.Length}");
            stats.Rejected++;
            stats.Kinds[ex.Kind] = stats.Kinds.GetValueOrDefault(ex.Kind) + 1;
            return new Verdict(null, ex.Kind, 0);
        }
    }

    private static void AssertSameVerdict(Verdict expected, Func<Message?> decode, string how, bool needMoreIsTruncated = false)
    {
        Message? message;
        try
        {
            message = decode();
        }
        catch (ProtocolException ex)
        {
            var kind = expected.Kind ?? (needMoreIsTruncated ? ProtocolErrorKind.Truncated : (ProtocolErrorKind?)null);
            Assert.True(kind == ex.Kind, $"{how}: threw {ex.Kind} where TryRead gave {Describe(expected)}");
            return;
        }

        Assert.True(expected.Kind is null, $"{how}: no exception where TryRead threw {expected.Kind}");
        Assert.True(Equals(expected.Message, message), $"{how}: {message} where TryRead gave {Describe(expected)}");
    }

    private static Message? ReadFromStream(byte[] input)
    {
        var pending = FrameReader.ReadAsync(new MemoryStream(input), CancellationToken.None);
        Assert.True(pending.IsCompleted, "a memory stream read must complete synchronously");
        return pending.AsTask().GetAwaiter().GetResult();
    }

    private static bool IsKnownErrorCode(byte[] frame)
        => frame.Length >= 7 && BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(5)) is >= 1 and <= 9;

    private static string Describe(Verdict v) => v.Kind?.ToString() ?? v.Message?.ToString() ?? "need more";

    /// <summary>Valid frames to mutate: a seeded FsCheck sample of every message type.</summary>
    private static byte[][] Corpus(int seed)
        => ProtocolArbitraries.Message().Generator
            .Sample(20, new Rnd((ulong)seed), 400)
            .Select(FrameWriter.ToArray)
            .ToArray();

    private static byte[] RandomFrame(Random random)
    {
        var length = random.Next(0, 300);
        var frame = new byte[4 + length];
        random.NextBytes(frame);
        BinaryPrimitives.WriteUInt32BigEndian(frame, random.Next(4) == 0 ? (uint)random.Next() : (uint)length);
        if (length > 0 && random.Next(3) > 0)
        {
            frame[4] = (byte)Types[random.Next(Types.Length)];
        }

        return frame;
    }

    private static byte[] Mutate(byte[] frame, Random random)
    {
        var bytes = new List<byte>(frame);
        var structural = false;
        for (var n = random.Next(1, 4); n > 0; n--)
        {
            switch (random.Next(9))
            {
                case 0 when bytes.Count > 0: // bit flips
                    for (var flips = random.Next(1, 4); flips > 0; flips--)
                    {
                        var at = random.Next(bytes.Count);
                        bytes[at] ^= (byte)(1 << random.Next(8));
                    }

                    break;
                case 1: // truncation
                    bytes = bytes.Take(random.Next(bytes.Count + 1)).ToList();
                    break;
                case 2 when bytes.Count >= 4: // length field edit
                    var declared = BinaryPrimitives.ReadUInt32BigEndian(bytes.Take(4).ToArray());
                    uint[] choices = [0, 1, declared - 1, declared + 1, (uint)random.Next(1, 300_000), uint.MaxValue, FrameLimits.MaxBody, FrameLimits.MaxBody + 1, 16, 17];
                    var length = new byte[4];
                    BinaryPrimitives.WriteUInt32BigEndian(length, choices[random.Next(choices.Length)]);
                    for (var i = 0; i < 4; i++)
                    {
                        bytes[i] = length[i];
                    }

                    break;
                case 3: // insertion
                    var insert = new byte[random.Next(1, 17)];
                    random.NextBytes(insert);
                    bytes.InsertRange(random.Next(bytes.Count + 1), insert);
                    structural = true;
                    break;
                case 4 when bytes.Count > 5: // deletion
                    var from = random.Next(4, bytes.Count);
                    bytes.RemoveRange(from, random.Next(1, Math.Min(16, bytes.Count - from) + 1));
                    structural = true;
                    break;
                case 5 when bytes.Count > 0: // interesting byte
                    bytes[random.Next(bytes.Count)] = InterestingBytes[random.Next(InterestingBytes.Length)];
                    break;
                case 6 when bytes.Count > 4: // another message type's decoder on this body
                    bytes[4] = (byte)Types[random.Next(Types.Length)];
                    break;
                case 7 when bytes.Count > 5: // duplicated chunk
                    var start = random.Next(4, bytes.Count);
                    var chunk = bytes.Skip(start).Take(random.Next(1, 64)).ToList();
                    bytes.InsertRange(random.Next(4, bytes.Count + 1), chunk);
                    structural = true;
                    break;
                default: // trailing junk
                    var junk = new byte[random.Next(1, 9)];
                    random.NextBytes(junk);
                    bytes.AddRange(junk);
                    structural = true;
                    break;
            }
        }

        // Half the time keep the length field honest, so mutated bodies reach the field decoders.
        if (structural && bytes.Count >= 4 && random.Next(2) == 0)
        {
            var length = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(length, (uint)(bytes.Count - 4));
            for (var i = 0; i < 4; i++)
            {
                bytes[i] = length[i];
            }
        }

        return bytes.ToArray();
    }

    private static int EnvironmentInt(string name, int fallback)
        => int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    private readonly record struct Verdict(Message? Message, ProtocolErrorKind? Kind, int Consumed);

    private sealed class Stats
    {
        public int Decoded { get; set; }

        public int NeedMore { get; set; }

        public int Rejected { get; set; }

        public double WorstRatio { get; set; }

        public Dictionary<ProtocolErrorKind, int> Kinds { get; } = [];
    }
}
