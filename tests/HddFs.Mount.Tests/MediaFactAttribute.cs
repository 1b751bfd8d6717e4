using HddFs.Testing;

namespace HddFs.Mount.Tests;

/// <summary>A mount test that also needs ffmpeg and ffprobe: skipped outside CI when they are missing
/// (in CI it runs, and fails if they are).</summary>
public sealed class MediaFactAttribute : FactAttribute
{
    public MediaFactAttribute()
    {
        if (TestEnvironment.MissingFor(Needs.Fuse) is { } missing)
        {
            Skip = missing;
        }
        else if (!TestEnvironment.IsCi && !(TestEnvironment.HasProgram("ffmpeg") && TestEnvironment.HasProgram("ffprobe")))
        {
            Skip = "needs ffmpeg and ffprobe (package ffmpeg; runs in CI)";
        }
    }
}
