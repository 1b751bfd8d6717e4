using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using HddFs.Testing;

namespace HddFs.Fuse.Tests;

/// <summary>
/// Tmds.LibC-style insurance: a C program compiled against &lt;linux/fuse.h&gt; and the libc headers prints
/// sizeof/offsetof of every struct mirrored in HddFs.Fuse's Interop (found by reflection, so a new struct
/// is checked automatically) and the value of every mirrored constant and errno; the test compares them
/// with the C# mirrors.
/// </summary>
public sealed class FuseStructLayoutTests
{
    private static readonly HashSet<string> NotInHeaders = ["FUSE_MIN_SUPPORTED_MINOR", "FUSE_NAME_MAX"];

    [Fact]
    public void InteropStructsAndConstants_ComparedWithGcc_MatchExactly()
    {
        var assembly = typeof(FuseSession).Assembly;
        var structs = assembly.GetTypes()
            .Where(t => t.IsValueType && t.DeclaringType?.Name == "Interop" && !t.Name.Any(char.IsUpper))
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .ToList();
        Assert.Contains(structs, t => t.Name == "fuse_in_header");
        Assert.True(structs.Count >= 30, $"expected the fuse structs, found {structs.Count}");

        var expected = new Dictionary<string, long>(StringComparer.Ordinal);
        var c = new StringBuilder("""
            #define _GNU_SOURCE
            #include <stddef.h>
            #include <stdio.h>
            #include <errno.h>
            #include <fcntl.h>
            #include <limits.h>
            #include <sys/mount.h>
            #include <sys/socket.h>
            #include <sys/uio.h>
            #include <sys/vfs.h>
            #include <linux/fuse.h>
            #define P(name, value) printf("%s %lld\n", name, (long long)(value))
            int main(void) {

            """);
        foreach (var type in structs)
        {
            var managedSize = Marshal.SizeOf(type);
            var unsafeSize = (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(type).Invoke(null, null)!;
            Assert.Equal(managedSize, unsafeSize);
            expected[$"sizeof {type.Name}"] = managedSize;
            c.AppendLine(CultureInfo.InvariantCulture, $"P(\"sizeof {type.Name}\", sizeof(struct {type.Name}));");
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            {
                expected[$"{type.Name}.{field.Name}"] = Marshal.OffsetOf(type, field.Name).ToInt64();
                c.AppendLine(CultureInfo.InvariantCulture, $"P(\"{type.Name}.{field.Name}\", offsetof(struct {type.Name}, {field.Name}));");
            }
        }

        var constantClasses = assembly.GetTypes().Where(t => t.DeclaringType?.Name == "Interop" && t.Name is "FuseKernel" or "Libc");
        foreach (var field in constantClasses.SelectMany(t => t.GetFields(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)).Where(f => f.IsLiteral))
        {
            if (NotInHeaders.Contains(field.Name))
            {
                continue;
            }

            expected[field.Name] = Convert.ToInt64(field.GetRawConstantValue(), CultureInfo.InvariantCulture);
            c.AppendLine(CultureInfo.InvariantCulture, $"P(\"{field.Name}\", {field.Name});");
        }

        foreach (var errno in Enum.GetValues<Errno>())
        {
            expected[errno.ToString()] = (int)errno;
            c.AppendLine(CultureInfo.InvariantCulture, $"P(\"{errno}\", {errno});");
        }

        c.AppendLine("return 0; }");
        var actual = CompileAndRun(c.ToString());

        var mismatches = expected
            .Where(e => !actual.TryGetValue(e.Key, out var value) || value != e.Value)
            .Select(e => $"{e.Key}: C# {e.Value}, C {(actual.TryGetValue(e.Key, out var v) ? v : "missing")}")
            .ToList();
        Assert.True(mismatches.Count == 0, "layout mismatches:\n" + string.Join('\n', mismatches));
        Assert.True(expected.Count > 200, $"only {expected.Count} items compared");
    }

    [Fact]
    public void OurProtocolMinor_IsTheHeadersMinor()
    {
        // The mirrors are only checkable against the header we compile with: we must not claim more.
        var actual = CompileAndRun("#include <stdio.h>\n#include <linux/fuse.h>\nint main(void){printf(\"minor %d\\n\", FUSE_KERNEL_MINOR_VERSION);return 0;}");
        Assert.Equal((long)Interop.FuseKernel.FUSE_KERNEL_MINOR_VERSION, actual["minor"]);
    }

    private static Dictionary<string, long> CompileAndRun(string source)
    {
        using var dir = new TempDirectory("hddfs-layout");
        var sourcePath = dir.WriteFile("layout.c", source);
        var binary = dir.Combine("layout");
        var (exit, _, errors) = Run("gcc", "-std=c11", "-Wall", "-Werror", "-o", binary, sourcePath);
        Assert.True(exit == 0, "gcc failed:\n" + errors);
        var (runExit, output, runErrors) = Run(binary);
        Assert.True(runExit == 0, runErrors);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .ToDictionary(parts => string.Join(' ', parts[..^1]), parts => long.Parse(parts[^1], CultureInfo.InvariantCulture));
    }

    private static (int Exit, string Output, string Errors) Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), $"{file} timed out");
        return (process.ExitCode, output.Result, errors.Result);
    }
}
