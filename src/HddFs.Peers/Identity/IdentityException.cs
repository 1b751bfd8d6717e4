namespace HddFs.Peers.Identity;

/// <summary>The identity key could not be loaded or created. The message says what to do.</summary>
public sealed class IdentityException : Exception
{
    public IdentityException()
    {
    }

    public IdentityException(string message)
        : base(message)
    {
    }

    public IdentityException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
