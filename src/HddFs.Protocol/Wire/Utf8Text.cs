using System.Text;

namespace HddFs.Protocol.Wire;

/// <summary>
/// The two UTF-8 encodings at this boundary. Strings the protocol carries as identifiers (paths,
/// search terms) are encoded strictly: a string that is not valid Unicode is the caller's bug and
/// throws. Decoding is always strict (invalid bytes are a protocol violation, checked before any
/// string is made).
/// </summary>
internal static class Utf8Text
{
    /// <summary>Throws <see cref="EncoderFallbackException"/> (an ArgumentException) on lone surrogates.</summary>
    public static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Byte count of <paramref name="value"/> in strict UTF-8; ArgumentException naming the field when invalid.</summary>
    public static int StrictByteCount(string value, string field)
    {
        try
        {
            return Strict.GetByteCount(value);
        }
        catch (EncoderFallbackException ex)
        {
            throw new ArgumentException($"{field} is not valid Unicode (lone surrogate).", field, ex);
        }
    }
}
