using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace HddFs.Quic.Tests;

/// <summary>Every struct mirrored in C# (Interop.Structs.cs) against the C header, compiled with gcc: sizes and the
/// offset of every field (as Tmds.LibC does for libc).</summary>
public sealed class NativeLayoutTests
{
    private static readonly Type[] MirroredStructs =
        [typeof(hq_addr), typeof(hq_event), typeof(hq_endpoint_config), typeof(hq_conn_info), typeof(hq_endpoint_info)];

    [Fact]
    public void ShimStructs_CSharpMirrors_MatchTheCHeader()
    {
        var header = Path.Combine(RepoRoot(), "src", "HddFs.Quic", "native", "hddfs_quic.h");
        Assert.True(File.Exists(header), header);
        var program = new StringBuilder();
        program.AppendLine("#include <stdio.h>\n#include <stddef.h>\n#include \"" + header + "\"\nint main(void) {");
        foreach (var type in MirroredStructs)
        {
            program.AppendLine($"    printf(\"{type.Name} sizeof %zu\\n\", sizeof({type.Name}));");
            foreach (var field in Fields(type))
            {
                program.AppendLine($"    printf(\"{type.Name} {field.Name} %zu\\n\", offsetof({type.Name}, {field.Name}));");
            }
        }

        program.AppendLine("    return 0;\n}");
        var native = Parse(CompileAndRun(program.ToString()));

        foreach (var type in MirroredStructs)
        {
            Assert.Equal(native[(type.Name, "sizeof")], SizeOf(type));
            foreach (var field in Fields(type))
            {
                Assert.True(native[(type.Name, field.Name)] == (long)Marshal.OffsetOf(type, field.Name),
                    $"{type.Name}.{field.Name}: C offset {native[(type.Name, field.Name)]}, C# offset {Marshal.OffsetOf(type, field.Name)}");
            }
        }
    }

    [Fact]
    public void ShimStructs_LibraryReportsTheSameSizes()
    {
        Assert.Equal(Unsafe.SizeOf<hq_addr>(), Interop.HddFsQuic.hq_abi_size(0));
        Assert.Equal(Unsafe.SizeOf<hq_event>(), Interop.HddFsQuic.hq_abi_size(1));
        Assert.Equal(Unsafe.SizeOf<hq_endpoint_config>(), Interop.HddFsQuic.hq_abi_size(2));
        Assert.Equal(Unsafe.SizeOf<hq_conn_info>(), Interop.HddFsQuic.hq_abi_size(3));
        Assert.Equal(Unsafe.SizeOf<hq_endpoint_info>(), Interop.HddFsQuic.hq_abi_size(4));
        Assert.InRange(Interop.HddFsQuic.hq_ngtcp2_version(), 0x000c00, 0x000cff);
    }

    private static IEnumerable<FieldInfo> Fields(Type type)
        => type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);

    private static long SizeOf(Type type)
        => (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(type).Invoke(null, null)!;

    private static Dictionary<(string, string), long> Parse(string output)
        => output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .ToDictionary(p => (p[0], p[1]), p => long.Parse(p[2]));

    private static string CompileAndRun(string source)
    {
        var dir = Directory.CreateTempSubdirectory("hddfs-quic-layout");
        try
        {
            var c = Path.Combine(dir.FullName, "layout.c");
            var exe = Path.Combine(dir.FullName, "layout");
            File.WriteAllText(c, source);
            Run("gcc", $"-std=gnu11 -Wall -Werror -o {exe} {c}");
            return Run(exe, "");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static string Run(string file, string arguments)
    {
        var psi = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{file} {arguments}: {stderr.Result}");
        return stdout;
    }

    internal static string RepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "HddFs.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? throw new InvalidOperationException("HddFs.sln not found above " + AppContext.BaseDirectory);
    }
}
