using System.Diagnostics;
using System.Runtime.InteropServices;

namespace HddFs.Bench.Infra;

/// <summary>Sleeps until a <see cref="Stopwatch"/> timestamp with clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME):
/// on Linux, .NET's Stopwatch is CLOCK_MONOTONIC in nanoseconds, so a timestamp is directly a deadline.
/// Thread.Sleep only has millisecond resolution, too coarse for a 5 ms delay line.</summary>
internal static class PreciseSleep
{
    private const int ClockMonotonic = 1;
    private const int TimerAbsoluteTime = 1;

    public static bool Supported { get; } = OperatingSystem.IsLinux() && Stopwatch.Frequency == 1_000_000_000;

    public static void Until(long stopwatchTimestamp)
    {
        var deadline = new Timespec(stopwatchTimestamp / 1_000_000_000, stopwatchTimestamp % 1_000_000_000);

        // Returns EINTR (4) when a signal interrupts it: sleep again until the deadline.
        while (clock_nanosleep(ClockMonotonic, TimerAbsoluteTime, in deadline, IntPtr.Zero) == 4)
        {
        }
    }

    [DllImport("libc", SetLastError = false)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable SYSLIB1054 // LibraryImport would need AllowUnsafeBlocks in this project; the signature is blittable.
    private static extern int clock_nanosleep(int clockId, int flags, in Timespec request, IntPtr remaining);
#pragma warning restore SYSLIB1054

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct Timespec(long Seconds, long Nanoseconds);
}
