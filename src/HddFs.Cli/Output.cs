using System.Globalization;

namespace HddFs.Cli;

/// <summary>Human-readable formatting shared by the verbs.</summary>
internal static class Output
{
    public static string Size(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes} B")
            : string.Create(CultureInfo.InvariantCulture, $"{value:0.0} {units[unit]}");
    }

    public static string Time(long unixMs)
        => unixMs <= 0 ? "-" : DateTimeOffset.FromUnixTimeMilliseconds(unixMs).ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    /// <summary>Splits "PEER/some/path" into the peer and the path (without leading or trailing '/').</summary>
    public static (string Peer, string Path) SplitPeerPath(string text)
    {
        var trimmed = text.Trim('/');
        var slash = trimmed.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (trimmed, "") : (trimmed[..slash], trimmed[(slash + 1)..].Trim('/'));
    }
}
