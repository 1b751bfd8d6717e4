using HddFs.Testing;

namespace HddFs.Integration.Tests;

/// <summary>Media players seek: ffprobe and ffmpeg read a video through the mount, seeking into it.</summary>
public sealed class MediaTests
{
    [SystemFact(Needs.Fuse)]
    public async Task Ffmpeg_ProbesAndSeeksThroughTheMount()
    {
        Assert.True(TestEnvironment.HasProgram("ffmpeg"), "ffmpeg is installed by make test");
        await using var party = await Party.StartAsync(root =>
        {
            ProcessRunner.Run(
                "ffmpeg",
                ["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=duration=6:size=320x240:rate=25", "-f", "lavfi", "-i", "sine=duration=6",
                 "-shortest", "-c:v", "mpeg4", "-q:v", "5", "-c:a", "aac", Path.Combine(root, "clip.mp4")],
                TimeSpan.FromMinutes(2)).EnsureSuccess("ffmpeg (make test data)");
        });
        var clip = Path.Combine(party.Remote, "clip.mp4");

        var probe = ProcessRunner.Run("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", clip]).EnsureSuccess("ffprobe");
        Assert.InRange(double.Parse(probe.StandardOutput.Trim(), System.Globalization.CultureInfo.InvariantCulture), 5.5, 6.5);

        var frame = Path.Combine(party.Root.Path, "frame.png");
        ProcessRunner.Run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-ss", "4.5", "-i", clip, "-frames:v", "1", frame]).EnsureSuccess("ffmpeg seek");
        Assert.True(new FileInfo(frame).Length > 0);
    }
}
