namespace HddFs.Mount;

/// <summary>Counters of a running mount (for the control API and tests).</summary>
/// <param name="Requests">Kernel requests received since the mount (FORGETs included).</param>
/// <param name="RequestsInFlight">Requests received and not yet answered.</param>
/// <param name="InvalidationsSent">Kernel notifications the kernel acted on.</param>
/// <param name="InvalidationsNotCached">Notifications about nodes or names the kernel did not hold.</param>
/// <param name="InvalidationsDropped">Notifications dropped because the queue was full.</param>
/// <param name="InvalidationsFailed">Notifications the kernel refused.</param>
public sealed record PartyMountStatistics(
    long Requests,
    int RequestsInFlight,
    long InvalidationsSent,
    long InvalidationsNotCached,
    long InvalidationsDropped,
    long InvalidationsFailed);
