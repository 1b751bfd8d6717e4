using HddFs.Testing;

namespace HddFs.Mount.Tests;

/// <summary>
/// A measurement, not a check that runs on every build: it runs when HDDFS_MEASURE is set (and the machine
/// has FUSE and root), prints its numbers to the test output, and still asserts that what it measured
/// was correct.
/// </summary>
public sealed class MeasureFactAttribute : FactAttribute
{
    public MeasureFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("HDDFS_MEASURE")))
        {
            Skip = "a measurement: set HDDFS_MEASURE=1 to run it";
        }
        else if (TestEnvironment.MissingFor(Needs.Fuse) is { } missing)
        {
            Skip = missing;
        }
    }
}
