using Realtime.Tests.Infrastructure;

namespace Realtime.Tests.Startup;

public sealed class FirstBuildTests
{
    private static readonly string ServerProject = Path.Combine(Infrastructure.Samples.RepositoryRoot, "src", "Realtime.Server", "Realtime.Server.csproj");
    private static readonly string WebChatPackages = Path.Combine(Infrastructure.Samples.RepositoryRoot, "samples", "web-chat", "node_modules");

    [Fact]
    public async Task The_first_build_says_at_quiet_verbosity_that_it_is_installing_the_web_chat_packages_and_later_builds_say_nothing()
    {
        var folder = Directory.CreateTempSubdirectory("realtime-webchat-").FullName;
        try
        {
            await WriteEmptyNpmProjectAsync(folder);

            // Quiet is the verbosity dotnet run builds at.
            (await BuildWebChatAsync(folder, "RestoreWebChatPackages")).Should().Contain("samples/web-chat: installing the browser chat's npm packages (npm ci)");

            // npm leaves this stamp of what it installed; with it newer than the lock file there is nothing to do.
            Directory.CreateDirectory(Path.Combine(folder, "node_modules"));
            await File.WriteAllTextAsync(Path.Combine(folder, "node_modules", ".package-lock.json"), "{}");
            (await BuildWebChatAsync(folder, "RestoreWebChatPackages")).Should().NotContain("installing", "the packages are there");

            File.SetLastWriteTimeUtc(Path.Combine(folder, "package-lock.json"), DateTime.UtcNow.AddMinutes(1));
            (await BuildWebChatAsync(folder, "RestoreWebChatPackages")).Should().Contain("installing", "the lock file changed since the last install");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task The_build_compiles_the_web_chat_TypeScript_once_and_again_only_when_a_source_changed_and_fails_on_a_type_error()
    {
        Directory.Exists(Path.Combine(WebChatPackages, "typescript")).Should().BeTrue("the solution's build installed the browser chat's packages");
        var folder = Directory.CreateTempSubdirectory("realtime-webchat-").FullName;
        try
        {
            await WriteEmptyNpmProjectAsync(folder);
            // The real compiler, from the packages the solution's build installed.
            Directory.CreateSymbolicLink(Path.Combine(folder, "node_modules"), WebChatPackages);
            File.SetLastWriteTimeUtc(Path.Combine(folder, "package-lock.json"), new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc));
            await File.WriteAllTextAsync(Path.Combine(folder, "tsconfig.json"), """
                { "compilerOptions": { "target": "es2022", "module": "es2022", "rootDir": "src", "outDir": "wwwroot/js", "strict": true, "noEmitOnError": true }, "include": ["src"] }
                """);
            Directory.CreateDirectory(Path.Combine(folder, "src"));
            var source = Path.Combine(folder, "src", "app.ts");
            var output = Path.Combine(folder, "wwwroot", "js", "app.js");
            await File.WriteAllTextAsync(source, "export const greeting: string = \"first\";\n");
            File.SetLastWriteTimeUtc(source, DateTime.UtcNow.AddMinutes(-30));

            await BuildWebChatAsync(folder, "BuildWebChat");
            (await File.ReadAllTextAsync(output)).Should().Contain("export const greeting = \"first\"");
            var built = File.GetLastWriteTimeUtc(output);

            await BuildWebChatAsync(folder, "BuildWebChat");
            File.GetLastWriteTimeUtc(output).Should().Be(built, "nothing changed, so the compiler did not run");

            await File.WriteAllTextAsync(source, "export const greeting: string = \"second\";\n");
            await BuildWebChatAsync(folder, "BuildWebChat");
            (await File.ReadAllTextAsync(output)).Should().Contain("\"second\"");

            await File.WriteAllTextAsync(source, "export const greeting: number = \"not a number\";\n");
            var failing = () => BuildWebChatAsync(folder, "BuildWebChat");
            (await failing.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Contain("error TS2322");
            (await failing.Should().ThrowAsync<InvalidOperationException>("a failed compile leaves no output that looks up to date"))
                .Which.Message.Should().Contain("error TS2322");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // An npm project with no dependencies: npm ci has nothing to fetch.
    private static async Task WriteEmptyNpmProjectAsync(string folder)
    {
        await File.WriteAllTextAsync(Path.Combine(folder, "package.json"), """{ "name": "empty", "version": "1.0.0", "private": true }""");
        await File.WriteAllTextAsync(Path.Combine(folder, "package-lock.json"), """{ "name": "empty", "version": "1.0.0", "lockfileVersion": 3, "requires": true, "packages": { "": { "name": "empty", "version": "1.0.0" } } }""");
    }

    private static Task<string> BuildWebChatAsync(string folder, string target) => ExternalProcess.RunAsync(
        "dotnet",
        ["msbuild", ServerProject, $"-t:{target}", $"-p:WebChatFolder={folder}/", "-v:q", "-nologo", "-nodeReuse:false"],
        timeout: TimeSpan.FromMinutes(2));
}
