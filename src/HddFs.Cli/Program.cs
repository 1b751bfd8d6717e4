using System.Reflection;

if (args.Length > 0 && args[0] is "--version")
{
    Console.WriteLine(Assembly.GetExecutingAssembly().GetName().Version);
    return 0;
}

Console.Error.WriteLine("hddfs: not yet implemented");
return 1;
