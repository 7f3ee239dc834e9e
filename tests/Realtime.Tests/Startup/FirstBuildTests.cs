using Realtime.Tests.Infrastructure;

namespace Realtime.Tests.Startup;

public sealed class FirstBuildTests
{
    private static readonly string ServerProject = Path.Combine(Infrastructure.Samples.RepositoryRoot, "src", "Realtime.Server", "Realtime.Server.csproj");

    [Fact]
    public async Task The_first_build_says_at_quiet_verbosity_that_it_is_installing_the_web_chat_packages_and_later_builds_say_nothing()
    {
        var folder = Directory.CreateTempSubdirectory("realtime-webchat-").FullName;
        try
        {
            // An npm project with no dependencies: npm ci has nothing to fetch.
            await File.WriteAllTextAsync(Path.Combine(folder, "package.json"), """{ "name": "empty", "version": "1.0.0", "private": true }""");
            await File.WriteAllTextAsync(Path.Combine(folder, "package-lock.json"), """{ "name": "empty", "version": "1.0.0", "lockfileVersion": 3, "requires": true, "packages": { "": { "name": "empty", "version": "1.0.0" } } }""");

            // Quiet is the verbosity dotnet run builds at.
            (await RestoreWebChatAsync(folder)).Should().Contain("samples/web-chat: installing the browser chat's npm packages (npm ci)");

            Directory.CreateDirectory(Path.Combine(folder, "node_modules"));
            (await RestoreWebChatAsync(folder)).Should().NotContain("installing", "the packages are there");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static Task<string> RestoreWebChatAsync(string folder) => ExternalProcess.RunAsync(
        "dotnet",
        ["msbuild", ServerProject, "-t:RestoreWebChatPackages", $"-p:WebChatFolder={folder}/", "-v:q", "-nologo", "-nodeReuse:false"],
        timeout: TimeSpan.FromMinutes(2));
}
