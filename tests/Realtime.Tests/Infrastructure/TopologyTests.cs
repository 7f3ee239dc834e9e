namespace Realtime.Tests.Infrastructure;

/// <summary>
/// Tests that run the whole local topology (nginx, three node processes, Redis, PostgreSQL) and then kill,
/// stop and restart its parts: one at a time, after the parallel tests, so that what they measure (how soon
/// everyone is back) is not what a second topology beside them costs two cores.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TopologyTests
{
    public const string Name = "Local topology";
}
