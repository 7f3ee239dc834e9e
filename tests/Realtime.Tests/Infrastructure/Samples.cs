namespace Realtime.Tests.Infrastructure;

/// <summary>Finds the sample programs, built by the same solution build and configuration as the tests.</summary>
public static class Samples
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string DllOf(string folder, string assemblyName)
    {
        // The test assembly lives in bin/<Configuration>/<framework>/.
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = framework.Parent!.Name;
        var path = Path.Combine(RepositoryRoot, "samples", folder, "bin", configuration, framework.Name, assemblyName + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"Build the solution first: {path} is missing.");
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Realtime.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Realtime.sln not found above the test assembly.");
    }
}
