using NetArchTest.Rules;
using Realtime.Server.Hubs;

namespace Realtime.Tests.Architecture;

/// <summary>The server's folders as DESIGN.md draws them: domain code knows nothing of SignalR, Redis or connections, and no two folders lean on each other.</summary>
public sealed class ArchitectureTests
{
    private const string Root = "Realtime.Server";

    /// <summary>What the chat is about; how it reaches clients and other nodes is someone else's job.</summary>
    public static TheoryData<string> DomainFolders => new() { "Conversations", "Messages", "Presence", "Notifications", "Delivery" };

    private static Types ServerTypes => Types.InAssembly(typeof(ChatHub).Assembly);

    [Theory]
    [MemberData(nameof(DomainFolders))]
    public void A_domain_folder_uses_no_SignalR_Redis_or_connection_types(string folder)
    {
        var result = ServerTypes.That().ResideInNamespace($"{Root}.{folder}")
            .ShouldNot().HaveDependencyOnAny("Microsoft.AspNetCore.SignalR", "StackExchange.Redis", $"{Root}.Hubs", $"{Root}.ScaleOut", $"{Root}.Connections")
            .GetResult();

        result.IsSuccessful.Should().BeTrue($"{folder} should stay free of delivery mechanics, but {string.Join(", ", result.FailingTypeNames ?? [])} use them");
    }

    [Fact]
    public void Only_the_scale_out_folder_uses_Redis()
    {
        var result = ServerTypes.That().DoNotResideInNamespace($"{Root}.ScaleOut")
            .ShouldNot().HaveDependencyOn("StackExchange.Redis")
            .GetResult();

        result.IsSuccessful.Should().BeTrue($"Redis code belongs in ScaleOut, but {string.Join(", ", result.FailingTypeNames ?? [])} use it");
    }

    [Fact]
    public void No_folders_depend_on_each_other_in_a_circle()
    {
        var folders = typeof(ChatHub).Assembly.GetTypes()
            .Select(type => type.Namespace)
            .Where(ns => ns is not null && ns.StartsWith(Root + ".", StringComparison.Ordinal))
            .Select(ns => ns!.Split('.')[2])
            .Distinct()
            .ToList();
        var uses = folders.ToDictionary(folder => folder, folder => folders
            .Where(other => other != folder && ServerTypes.That().ResideInNamespace($"{Root}.{folder}").And().HaveDependencyOn($"{Root}.{other}").GetTypes().Any())
            .ToList());

        Cycles(uses).Should().BeEmpty("folders form layers: {0}", string.Join("; ", uses.Select(pair => $"{pair.Key} -> {string.Join(", ", pair.Value)}")));
    }

    private static List<string> Cycles(Dictionary<string, List<string>> uses)
    {
        var found = new List<string>();
        var onPath = new List<string>();
        var finished = new HashSet<string>();
        foreach (var folder in uses.Keys)
        {
            Visit(folder);
        }

        return found;

        void Visit(string folder)
        {
            if (onPath.Contains(folder))
            {
                found.Add(string.Join(" -> ", onPath.SkipWhile(f => f != folder).Append(folder)));
                return;
            }

            if (!finished.Add(folder))
            {
                return;
            }

            onPath.Add(folder);
            foreach (var next in uses[folder])
            {
                Visit(next);
            }

            onPath.RemoveAt(onPath.Count - 1);
        }
    }
}
