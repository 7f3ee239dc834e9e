using System.Text.RegularExpressions;
using Realtime.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Realtime.Tests.Deployment;

/// <summary>
/// The Dockerfile and the Kubernetes manifests cannot run here (no Docker engine, no cluster), so
/// they are checked as far as the tools at hand allow: kustomize renders every overlay, and the
/// rendered objects carry what a production rollout depends on.
/// </summary>
public sealed partial class DeploymentArtifactTests
{
    private static readonly string Root = Infrastructure.Samples.RepositoryRoot;

    [Fact]
    public void The_dockerfile_is_multi_stage_non_root_with_a_health_check_and_copies_only_paths_that_exist()
    {
        var lines = File.ReadAllLines(Path.Combine(Root, "deploy", "docker", "Dockerfile"))
            .Where(l => !string.IsNullOrWhiteSpace(l) && !l.TrimStart().StartsWith('#'))
            .ToList();
        var known = new[] { "FROM", "WORKDIR", "COPY", "RUN", "ENV", "USER", "EXPOSE", "HEALTHCHECK", "ENTRYPOINT", "CMD", "ARG", "LABEL" };
        var instructions = Continued(lines).Select(l => (Keyword: l.Split(' ', 2)[0], Arguments: l.Split(' ', 2).ElementAtOrDefault(1) ?? string.Empty)).ToList();

        instructions.Should().OnlyContain(i => known.Contains(i.Keyword), "every instruction parses");
        instructions.Count(i => i.Keyword == "FROM").Should().BeGreaterThanOrEqualTo(2, "build and runtime are separate stages");
        instructions.Last(i => i.Keyword == "FROM").Arguments.Should().Contain("aspnet").And.NotContain("sdk", "the runtime image carries no SDK");
        instructions.Should().Contain(i => i.Keyword == "USER" && !i.Arguments.Contains("root", StringComparison.Ordinal));
        instructions.Should().Contain(i => i.Keyword == "HEALTHCHECK" && i.Arguments.Contains("/health/live", StringComparison.Ordinal));
        instructions.Single(i => i.Keyword == "ENTRYPOINT").Arguments.Should().Contain("Realtime.Server.dll");

        foreach (var copy in instructions.Where(i => i.Keyword == "COPY" && !i.Arguments.StartsWith("--from", StringComparison.Ordinal)))
        {
            var sources = copy.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..^1];
            foreach (var source in sources)
            {
                (File.Exists(Path.Combine(Root, source)) || Directory.Exists(Path.Combine(Root, source))).Should().BeTrue($"COPY {source} names a path in the repository");
            }
        }
    }

    [Theory]
    [InlineData("dev", 2)]
    [InlineData("prod", 3)]
    public async Task Every_kustomize_overlay_renders_the_objects_a_rollout_needs(string overlay, int replicas)
    {
        var kubectl = ExternalProcess.FindProgram("kubectl", ["/usr/bin", "/usr/local/bin"]);
        var rendered = await ExternalProcess.RunAsync(kubectl, ["kustomize", Path.Combine(Root, "deploy", "k8s", "overlays", overlay)]);
        var objects = new YamlStream();
        objects.Load(new StringReader(rendered));
        var byKind = objects.Documents.Select(d => (YamlMappingNode)d.RootNode)
            .GroupBy(o => Scalar(o, "kind"))
            .ToDictionary(g => g.Key, g => g.ToList());

        byKind.Keys.Should().Contain(["Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler", "Ingress", "ConfigMap"]);
        var deployment = byKind["Deployment"].Single(d => Scalar(d, "metadata", "name") == "realtime");
        Scalar(deployment, "spec", "replicas").Should().Be(replicas.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var container = (YamlMappingNode)((YamlSequenceNode)Node(deployment, "spec", "template", "spec", "containers")!).Children[0];
        Scalar(container, "readinessProbe", "httpGet", "path").Should().Be("/health/ready");
        Scalar(container, "livenessProbe", "httpGet", "path").Should().Be("/health/live");
        Node(container, "lifecycle", "preStop").Should().NotBeNull("a preStop delay lets the load balancer stop routing first");
        Node(container, "resources", "requests").Should().NotBeNull();
        ((YamlSequenceNode)Node(deployment, "spec", "template", "spec", "topologySpreadConstraints")!).Children.Should().NotBeEmpty();
        var secretKeys = ((YamlSequenceNode)Node(container, "env")!).Children.Cast<YamlMappingNode>()
            .Select(e => Scalar(e, "valueFrom", "secretKeyRef", "key")).ToList();
        secretKeys.Should().Contain(["chat-connection-string", "jwt-signing-key"], "connection strings and keys come from a Secret");
        Scalar(byKind["Ingress"].Single(), "metadata", "annotations", "nginx.ingress.kubernetes.io/affinity").Should().Be("cookie");
        int.Parse(Scalar(byKind["Ingress"].Single(), "metadata", "annotations", "nginx.ingress.kubernetes.io/proxy-read-timeout"), System.Globalization.CultureInfo.InvariantCulture)
            .Should().BeGreaterThanOrEqualTo(3600);
        byKind["Deployment"].Should().Contain(d => Scalar(d, "metadata", "name") == "realtime-redis");
        rendered.Should().NotContain("${", "no unrendered placeholders are left");
    }

    private static IEnumerable<string> Continued(IEnumerable<string> lines)
    {
        var current = string.Empty;
        foreach (var line in lines)
        {
            current += line.TrimEnd('\\').Trim() + " ";
            if (!line.TrimEnd().EndsWith('\\'))
            {
                yield return WhiteSpace().Replace(current.Trim(), " ");
                current = string.Empty;
            }
        }
    }

    private static YamlNode? Node(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode mapping || !mapping.Children.TryGetValue(new YamlScalarNode(key), out var child))
            {
                return null;
            }

            node = child;
        }

        return node;
    }

    private static string Scalar(YamlNode node, params string[] path) => (Node(node, path) as YamlScalarNode)?.Value ?? string.Empty;

    [GeneratedRegex("\\s+")]
    private static partial Regex WhiteSpace();
}
