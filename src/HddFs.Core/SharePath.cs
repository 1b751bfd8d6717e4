using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace HddFs.Core;

/// <summary>
/// A path inside a peer's shares, relative, '/'-separated, with the share name as its first
/// component ("Music/album/track.flac"). The empty path is the root that lists the shares.
/// Invariant (checked on construction): no empty, "." or ".." components, no NUL, no leading or
/// trailing '/', each component at most <see cref="MaxComponentBytes"/> UTF-8 bytes and the whole at
/// most <see cref="MaxBytes"/>. Comparison is ordinal; prefix tests work on whole components.
/// </summary>
public readonly struct SharePath : IEquatable<SharePath>
{
    public const int MaxBytes = 4096;
    public const int MaxComponentBytes = 255;

    private readonly string? _value;

    private SharePath(string value) => _value = value;

    public static SharePath Root => default;

    /// <summary>The canonical text ("" for the root).</summary>
    public string Value => _value ?? string.Empty;

    public bool IsRoot => string.IsNullOrEmpty(_value);

    /// <summary>The last component ("" for the root).</summary>
    public string Name
    {
        get
        {
            var v = Value;
            var slash = v.LastIndexOf('/');
            return slash < 0 ? v : v[(slash + 1)..];
        }
    }

    /// <summary>The first component: the share name ("" for the root).</summary>
    public string ShareName
    {
        get
        {
            var v = Value;
            var slash = v.IndexOf('/', StringComparison.Ordinal);
            return slash < 0 ? v : v[..slash];
        }
    }

    /// <summary>The parent path; the root's parent is the root.</summary>
    public SharePath Parent
    {
        get
        {
            var v = Value;
            var slash = v.LastIndexOf('/');
            return slash < 0 ? Root : new SharePath(v[..slash]);
        }
    }

    public int Depth => IsRoot ? 0 : Value.Count(c => c == '/') + 1;

    public string[] Components => IsRoot ? [] : Value.Split('/');

    /// <summary>Appends one validated component.</summary>
    public SharePath Child(string name)
    {
        if (!IsValidComponent(name, out var error))
        {
            throw new ArgumentException(error, nameof(name));
        }

        var combined = IsRoot ? name : Value + "/" + name;
        if (Encoding.UTF8.GetByteCount(combined) > MaxBytes)
        {
            throw new ArgumentException($"Path longer than {MaxBytes} bytes.", nameof(name));
        }

        return new SharePath(combined);
    }

    /// <summary>True when this path equals <paramref name="ancestor"/> or lies under it, by whole components.</summary>
    public bool IsSameOrUnder(SharePath ancestor)
    {
        if (ancestor.IsRoot)
        {
            return true;
        }

        var v = Value;
        var a = ancestor.Value;
        return v.Length == a.Length
            ? string.Equals(v, a, StringComparison.Ordinal)
            : v.Length > a.Length && v[a.Length] == '/' && v.StartsWith(a, StringComparison.Ordinal);
    }

    /// <summary>Parses and validates; throws <see cref="FormatException"/> with the reason.</summary>
    public static SharePath Parse(string? text)
        => TryParse(text, out var path, out var error) ? path : throw new FormatException(error);

    public static bool TryParse(string? text, out SharePath path)
        => TryParse(text, out path, out _);

    /// <summary>
    /// Accepts "a/b/c". Tolerates nothing else: no leading '/', no "//", no trailing '/', no "." or
    /// "..", no NUL. Callers that want leniency (a CLI argument) trim slashes themselves first.
    /// </summary>
    public static bool TryParse(string? text, out SharePath path, [NotNullWhen(false)] out string? error)
    {
        path = default;
        if (string.IsNullOrEmpty(text))
        {
            error = null;
            return true;
        }

        if (Encoding.UTF8.GetByteCount(text) > MaxBytes)
        {
            error = $"Path longer than {MaxBytes} bytes.";
            return false;
        }

        if (text[0] == '/')
        {
            error = "Absolute paths are not allowed.";
            return false;
        }

        foreach (var component in text.Split('/'))
        {
            if (!IsValidComponent(component, out error))
            {
                return false;
            }
        }

        path = new SharePath(text);
        error = null;
        return true;
    }

    /// <summary>A single file name: not empty, not "." or "..", no '/' or NUL, not too long.</summary>
    public static bool IsValidComponent(string? name, [NotNullWhen(false)] out string? error)
    {
        if (string.IsNullOrEmpty(name))
        {
            error = "Empty path component.";
            return false;
        }

        if (name is "." or "..")
        {
            error = "'.' and '..' are not allowed in paths.";
            return false;
        }

        if (name.Contains('\0', StringComparison.Ordinal))
        {
            error = "NUL is not allowed in paths.";
            return false;
        }

        if (name.Contains('/', StringComparison.Ordinal))
        {
            error = "'/' is not allowed in a name.";
            return false;
        }

        if (Encoding.UTF8.GetByteCount(name) > MaxComponentBytes)
        {
            error = $"Name longer than {MaxComponentBytes} bytes.";
            return false;
        }

        error = null;
        return true;
    }

    public bool Equals(SharePath other) => string.Equals(Value, other.Value, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is SharePath other && Equals(other);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    public override string ToString() => Value;

    public static bool operator ==(SharePath left, SharePath right) => left.Equals(right);

    public static bool operator !=(SharePath left, SharePath right) => !left.Equals(right);
}
