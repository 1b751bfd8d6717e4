using Xunit;

namespace HddFs.Testing;

/// <summary>
/// A measurement, not a check that runs on every build: it runs only when HDDFS_MEASURE is set (and the machine
/// has what <see cref="Needs"/> names), prints its numbers to the test output, and still asserts that what it
/// measured was correct. Speed bars live in <c>make bench</c>; these explain where the time goes.
/// </summary>
public sealed class MeasureFactAttribute : FactAttribute
{
    public MeasureFactAttribute(Needs needs = Needs.None)
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("HDDFS_MEASURE")))
        {
            Skip = "a measurement: set HDDFS_MEASURE=1 to run it";
        }
        else if (TestEnvironment.MissingFor(needs) is { } missing)
        {
            Skip = missing;
        }
    }
}
