using Realtime.Client;
using Realtime.Contracts;

namespace Realtime.Tests.Client;

public sealed class ChatClientApiTests
{
    [Fact]
    public void Every_hub_call_of_the_typed_client_can_be_cancelled()
    {
        var missing = typeof(IChatHub).GetMethods()
            .Where(call => typeof(ChatClient).GetMethod(call.Name, [.. call.GetParameters().Select(p => p.ParameterType), typeof(CancellationToken)]) is not { ReturnType: var returned } || returned != call.ReturnType)
            .Select(call => call.Name)
            .ToList();

        typeof(IChatHub).GetMethods().Should().NotBeEmpty();
        missing.Should().BeEmpty("each call of the contract takes a CancellationToken as its last argument");
    }
}
