namespace HddFs.Integration.Tests;

/// <summary>
/// How to run the CLI under test: the published bin/hddfs when `make build` made it, else the
/// hddfs.dll next to this test assembly (a project reference) through `dotnet`.
/// </summary>
internal static class HddfsBinary
{
    public static (string File, string[] Prefix) Command()
    {
        var local = Path.Combine(AppContext.BaseDirectory, "hddfs.dll");
        if (File.Exists(local))
        {
            return ("dotnet", [local]);
        }

        throw new FileNotFoundException("hddfs.dll not found next to the tests: " + local);
    }
}
