using System.Reflection;
using System.Xml.Linq;

namespace HddFs.Architecture.Tests;

/// <summary>
/// The dependency rules of architecture.md, checked two ways: the compiled assembly references (what
/// the code really uses) and the project files (what it could start using tomorrow).
/// </summary>
public sealed class DependencyRulesTests
{
    /// <summary>For each project: the HddFs projects it may reference. Absent = may reference any.</summary>
    public static readonly TheoryData<string, string[]> AllowedHddFsReferences = new()
    {
        { "HddFs.Fuse", [] },
        { "HddFs.Quic", [] },
        { "HddFs.Core", [] },
        { "HddFs.Protocol", ["HddFs.Core"] },
        { "HddFs.Vfs", ["HddFs.Core"] },
        { "HddFs.Cache", ["HddFs.Core"] },
        { "HddFs.Shares", ["HddFs.Core"] },
        { "HddFs.Discovery", ["HddFs.Core"] },
        { "HddFs.Mount", ["HddFs.Core", "HddFs.Vfs", "HddFs.Fuse"] },
        { "HddFs.Peers", ["HddFs.Core", "HddFs.Protocol", "HddFs.Quic"] },
        { "HelloFs", ["HddFs.Fuse"] },
    };

    [Theory]
    [MemberData(nameof(AllowedHddFsReferences))]
    public void CompiledAssembly_ReferencesOnlyAllowedProjects(string project, string[] allowed)
    {
        var assembly = Assembly.Load(new AssemblyName(project));
        var offending = assembly.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(IsOurs)
            .Except(allowed)
            .ToList();
        Assert.True(offending.Count == 0, $"{project} must not reference {string.Join(", ", offending)}");
    }

    [Theory]
    [MemberData(nameof(AllowedHddFsReferences))]
    public void ProjectFile_ReferencesOnlyAllowedProjects(string project, string[] allowed)
    {
        var referenced = ProjectReferences(project).ToList();
        var offending = referenced.Except(allowed).ToList();
        Assert.True(offending.Count == 0, $"{project}.csproj must not reference {string.Join(", ", offending)}");
    }

    [Fact]
    public void Core_ReferencesOnlyTheBaseClassLibrary()
    {
        var assembly = Assembly.Load(new AssemblyName("HddFs.Core"));
        var nonBcl = assembly.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(n => !(n.StartsWith("System", StringComparison.Ordinal) || n is "netstandard" or "mscorlib" || n.StartsWith("Microsoft.Win32", StringComparison.Ordinal)))
            .ToList();
        Assert.True(nonBcl.Count == 0, $"HddFs.Core must use only the BCL, found {string.Join(", ", nonBcl)}");
        Assert.Empty(ProjectFile("HddFs.Core").Descendants("PackageReference"));
    }

    [Theory]
    [InlineData("HddFs.Fuse")]
    [InlineData("HddFs.Quic")]
    public void Bindings_TakeNoPackages(string project)
        => Assert.Empty(ProjectFile(project).Descendants("PackageReference"));

    [Fact]
    public void Vfs_HasNoFuseTypes()
    {
        var assembly = Assembly.Load(new AssemblyName("HddFs.Vfs"));
        var fuseNamed = assembly.GetTypes().Where(t => t.FullName!.Contains("Fuse", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.Empty(fuseNamed);
    }

    [Fact]
    public void EveryProject_HasAReadmeWithObjectiveAndDecisions()
    {
        var root = RepoRoot();
        var projects = Directory.GetDirectories(Path.Combine(root, "src"));
        Assert.NotEmpty(projects);
        foreach (var dir in projects)
        {
            var readme = Path.Combine(dir, "README.md");
            Assert.True(File.Exists(readme), $"{Path.GetFileName(dir)} has no README.md");
            var text = File.ReadAllText(readme);
            Assert.Contains("## Objective", text, StringComparison.Ordinal);
            Assert.Contains("## Decisions", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void CentralPackageVersions_NoVersionInProjectFiles()
    {
        var root = RepoRoot();
        foreach (var csproj in Directory.EnumerateFiles(root, "*.csproj", SearchOption.AllDirectories).Where(p => !p.Contains("/obj/", StringComparison.Ordinal)))
        {
            var withVersion = XDocument.Load(csproj).Descendants("PackageReference").Where(e => e.Attribute("Version") is not null).ToList();
            Assert.True(withVersion.Count == 0, $"{csproj} sets a package Version; versions live in Directory.Packages.props");
        }
    }

    private static bool IsOurs(string name) => name.StartsWith("HddFs.", StringComparison.Ordinal) || name == "HelloFs";

    private static IEnumerable<string> ProjectReferences(string project)
        => ProjectFile(project).Descendants("ProjectReference")
            .Select(e => Path.GetFileNameWithoutExtension(e.Attribute("Include")!.Value))
            .Where(IsOurs);

    private static XDocument ProjectFile(string project)
    {
        var root = RepoRoot();
        var path = Directory.EnumerateFiles(root, project + ".csproj", SearchOption.AllDirectories).Single(p => !p.Contains("/obj/", StringComparison.Ordinal));
        return XDocument.Load(path);
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
