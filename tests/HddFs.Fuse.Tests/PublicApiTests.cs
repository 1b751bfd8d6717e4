using System.Reflection;
using System.Text;

namespace HddFs.Fuse.Tests;

/// <summary>
/// The public surface of HddFs.Fuse (what the daemon's mount adapter builds on) is pinned in
/// PublicApi.approved.txt. A change fails this test and writes PublicApi.received.txt beside the
/// approved file: review it and copy it over when the change is intended.
/// </summary>
public sealed class PublicApiTests
{
    [Fact]
    public void PublicApi_ComparedWithApprovedFile_Unchanged()
    {
        var directory = Path.Combine(FindRepositoryRoot(), "tests", "HddFs.Fuse.Tests");
        var approvedPath = Path.Combine(directory, "PublicApi.approved.txt");
        var actual = Describe(typeof(FuseSession).Assembly);
        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath) : "";
        if (actual != approved)
        {
            File.WriteAllText(Path.Combine(directory, "PublicApi.received.txt"), actual);
        }

        Assert.True(actual == approved, $"The public API changed; compare {directory}/PublicApi.received.txt with PublicApi.approved.txt.");
    }

    private static string Describe(Assembly assembly)
    {
        var text = new StringBuilder();
        foreach (var type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            var kind = type.IsEnum ? "enum" : type.IsValueType ? "struct" : type.IsInterface ? "interface" : type.IsSubclassOf(typeof(Delegate)) ? "delegate" : type.IsAbstract && type.IsSealed ? "static class" : type.IsAbstract ? "abstract class" : "class";
            text.Append(kind).Append(' ').AppendLine(type.FullName);
            if (type.IsEnum)
            {
                foreach (var name in Enum.GetNames(type))
                {
                    text.Append("  ").Append(name).Append(" = ").AppendLine(Convert.ToUInt64(Enum.Parse(type, name), System.Globalization.CultureInfo.InvariantCulture).ToString(System.Globalization.CultureInfo.InvariantCulture));
                }

                continue;
            }

            var members = type.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Where(m => m is not MethodInfo { IsSpecialName: true } && !IsCompilerGenerated(m))
                .Select(m => "  " + (m is MethodBase { IsStatic: true } or FieldInfo { IsStatic: true } or PropertyInfo { GetMethod.IsStatic: true } ? "static " : "") + m.MemberType + " " + m)
                .Concat(type.GetMethods(BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                    .Where(m => m.IsFamily || m.IsFamilyOrAssembly)
                    .Select(m => "  protected Method " + m))
                .OrderBy(s => s, StringComparer.Ordinal);
            foreach (var member in members)
            {
                text.AppendLine(member);
            }
        }

        return text.ToString().ReplaceLineEndings("\n");
    }

    // Record-generated members (EqualityContract, <Clone>$, Deconstruct...) and ToString overrides are noise.
    private static bool IsCompilerGenerated(MemberInfo member)
        => member.Name.Contains('<', StringComparison.Ordinal) || member.Name is "EqualityContract" or "PrintMembers" or "GetHashCode" or "Equals" or "ToString" or "op_Equality" or "op_Inequality";

    private static string FindRepositoryRoot()
    {
        var directory = AppContext.BaseDirectory;
        while (directory is not null && !File.Exists(Path.Combine(directory, "HddFs.sln")))
        {
            directory = Path.GetDirectoryName(directory);
        }

        return directory ?? throw new InvalidOperationException("HddFs.sln not found above " + AppContext.BaseDirectory);
    }
}
