using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace HddFs.Cache;

/// <summary>
/// Parses and formats cache sizes as the CLI's <c>--cache-size</c> takes them: a number of bytes
/// ("1000000") or a number with a unit ("512M", "10G", "10GB", "1.5GiB", "2 t"). Units are
/// case-insensitive and all powers of 1024 (K, M, G, T, with or without "B"/"iB"), as in rclone and
/// docker: a cache size is a budget, not a disk label, and one rule is easier to remember than two.
/// </summary>
public static class CacheSize
{
    private const string Help = "use a number of bytes, or a number with a unit K, M, G or T (powers of 1024), e.g. 1000000, 512M, 10G, 1.5GiB";

    /// <summary>Parses a size for a cache of <see cref="DiskBlockCache.DefaultBlockSize"/> blocks.</summary>
    /// <exception cref="FormatException">Not a size, or below the minimum; the message says why.</exception>
    public static long Parse(string text) => Parse(text, DiskBlockCache.DefaultBlockSize);

    /// <summary>Parses a size; it must hold at least <see cref="DiskBlockCache.MinimumCapacityBlocks"/>
    /// blocks of <paramref name="blockSize"/> bytes.</summary>
    /// <exception cref="FormatException">Not a size, or below the minimum; the message says why.</exception>
    public static long Parse(string text, int blockSize)
        => TryParse(text, blockSize, out var bytes, out var error) ? bytes : throw new FormatException(error);

    public static bool TryParse([NotNullWhen(true)] string? text, out long bytes, [NotNullWhen(false)] out string? error)
        => TryParse(text, DiskBlockCache.DefaultBlockSize, out bytes, out error);

    public static bool TryParse([NotNullWhen(true)] string? text, int blockSize, out long bytes, [NotNullWhen(false)] out string? error)
    {
        bytes = 0;
        if (!TryParseAny(text, out var value, out var reason))
        {
            error = $"Invalid cache size '{text}': {reason}; {Help}.";
            return false;
        }

        var minimum = (long)DiskBlockCache.MinimumCapacityBlocks * blockSize;
        if (value < minimum)
        {
            error = $"Cache size '{text}' is too small: the minimum is {Format(minimum)} ({DiskBlockCache.MinimumCapacityBlocks} blocks of {Format(blockSize)}).";
            return false;
        }

        bytes = value;
        error = null;
        return true;
    }

    /// <summary>A short human-readable size: "10 GiB", "1.5 GiB", "512 MiB", "1000 B".</summary>
    public static string Format(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        var unit = 0;
        var value = (double)bytes;
        while (Math.Abs(value) >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0
            ? bytes.ToString(CultureInfo.InvariantCulture) + " B"
            : value.ToString("0.##", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    private static bool TryParseAny(string? text, out long bytes, [NotNullWhen(false)] out string? reason)
    {
        bytes = 0;
        var s = text.AsSpan().Trim();
        if (s.IsEmpty)
        {
            reason = "it is empty";
            return false;
        }

        var numberLength = 0;
        while (numberLength < s.Length && (char.IsAsciiDigit(s[numberLength]) || s[numberLength] == '.'))
        {
            numberLength++;
        }

        var number = s[..numberLength];
        var unit = s[numberLength..].TrimStart();
        if (number.IsEmpty || number[0] == '.' || number[^1] == '.' || number.Count('.') > 1)
        {
            reason = "it does not start with a number";
            return false;
        }

        if (!TryUnitMultiplier(unit, out var multiplier))
        {
            reason = $"unknown unit '{unit}'";
            return false;
        }

        // decimal holds 28 significant digits: "1.5GiB" is exact, and overflow is detected below.
        if (!decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            reason = "the number is too long";
            return false;
        }

        if (multiplier == 1 && decimal.Truncate(value) != value)
        {
            reason = "a number of bytes must be whole";
            return false;
        }

        if (value > long.MaxValue / (decimal)multiplier)
        {
            reason = "it is too large";
            return false;
        }

        bytes = (long)decimal.Truncate(value * multiplier);
        reason = null;
        return true;
    }

    private static bool TryUnitMultiplier(ReadOnlySpan<char> unit, out long multiplier)
    {
        multiplier = 1;
        if (unit.IsEmpty || unit.Equals("b", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var shift = char.ToUpperInvariant(unit[0]) switch
        {
            'K' => 10,
            'M' => 20,
            'G' => 30,
            'T' => 40,
            _ => -1,
        };
        var suffix = unit[1..];
        if (shift < 0 || !(suffix.IsEmpty || suffix.Equals("b", StringComparison.OrdinalIgnoreCase) || suffix.Equals("ib", StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        multiplier = 1L << shift;
        return true;
    }
}
