using System.Globalization;

namespace HddFs.Mount.Tests;

/// <summary>A media player's access pattern through the mount: ffprobe reads the container's index (at the
/// end of an mp4 without faststart) and ffmpeg seeks into the middle.</summary>
public sealed class MediaTests
{
    [MediaFact]
    public async Task FfprobeAndSeekingFfmpeg_OnAVideoServedByAPeer_Work()
    {
        await using var party = await MountedParty.StartAsync(CacheKind.Disk);
        var source = Path.Combine(party.Scratch, "out.mp4");
        (await Shell.RunAsync(
            "ffmpeg",
            ["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=duration=3:size=160x120:rate=10", "-f", "lavfi", "-i", "sine", "-shortest", "-c:v", "mpeg4", "-c:a", "aac", source],
            TimeSpan.FromSeconds(60))).EnsureSuccess("ffmpeg (generating the test video)");
        party.Bob.AddFile("Videos/clips/out.mp4", await File.ReadAllBytesAsync(source));
        var video = party["bob/Videos/clips/out.mp4"];

        var probe = (await Shell.RunAsync("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "default=noprint_wrappers=1:nokey=1", video], TimeSpan.FromSeconds(30))).EnsureSuccess("ffprobe");
        Assert.InRange(double.Parse(probe.Output.Trim(), CultureInfo.InvariantCulture), 2.9, 3.2);

        var seek = await Shell.RunAsync("ffmpeg", ["-hide_banner", "-v", "error", "-ss", "2", "-i", video, "-frames:v", "1", "-f", "null", "-"], TimeSpan.FromSeconds(30));
        seek.EnsureSuccess("ffmpeg -ss 2");
        Assert.Equal("", seek.Errors.Trim());

        // The same bytes as the original, also when decoded in full.
        var decoded = await Shell.RunAsync("ffmpeg", ["-hide_banner", "-v", "error", "-i", video, "-f", "md5", "-"], TimeSpan.FromSeconds(30));
        var original = await Shell.RunAsync("ffmpeg", ["-hide_banner", "-v", "error", "-i", source, "-f", "md5", "-"], TimeSpan.FromSeconds(30));
        Assert.Equal(original.EnsureSuccess("decode original").Output, decoded.EnsureSuccess("decode through the mount").Output);
    }
}
