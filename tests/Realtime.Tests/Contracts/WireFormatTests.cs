using System.Text.Json;
using MessagePack;
using MessagePack.Resolvers;
using Realtime.Contracts;

namespace Realtime.Tests.Contracts;

public sealed class WireFormatTests
{
    private static readonly MessagePackSerializerOptions SignalRLikeOptions = MessagePackSerializerOptions.Standard.WithResolver(ContractlessStandardResolver.Instance);

    public static TheoryData<object> Dtos() =>
    [
        new ConversationDto("c1", "title", ["a", "b"], DateTime.UtcNow, 3, 2, 1, ConversationKinds.Group, "topic", 5, [new MemberDto("a", ConversationRoles.Owner), new MemberDto("b", ConversationRoles.Member)], 4),
        new MessageDto("m1", "c1", 1, "a", "k1", "hello", DateTime.UtcNow, 4, DateTime.UtcNow, null, "m0", [new ReactionDto("👍", ["a", "b"])]),
        new ReadReceiptDto("c1", "a", 1, DateTime.UtcNow, 2),
        new ReactionDto("🎉", ["a"]),
        new MemberDto("a", ConversationRoles.Admin),
        new NewMessageDto("k2", "hi", "m1"),
        new TypingDto("c1", "a", true),
        new PresenceDto("a", true, DateTime.UtcNow),
        new NotificationDto("n1", "kind", "title", "body", new Dictionary<string, string> { ["k"] = "v" }, DateTime.UtcNow),
        new ProgressDto("op", 50, "running", null),
    ];

    [Theory]
    [MemberData(nameof(Dtos))]
    public void MessagePack_and_json_carry_the_same_camel_case_field_names(object dto)
    {
        var type = dto.GetType();
        var packed = MessagePackSerializer.Serialize(type, dto, SignalRLikeOptions);
        using var fromMessagePack = JsonDocument.Parse(MessagePackSerializer.ConvertToJson(packed, SignalRLikeOptions));
        using var fromJson = JsonDocument.Parse(JsonSerializer.Serialize(dto, type, JsonSerializerOptions.Web));

        var messagePackNames = fromMessagePack.RootElement.EnumerateObject().Select(p => p.Name).ToList();
        messagePackNames.Should().BeEquivalentTo(fromJson.RootElement.EnumerateObject().Select(p => p.Name));
        messagePackNames.Should().OnlyContain(name => char.IsLower(name[0]));

        var roundTripped = MessagePackSerializer.Deserialize(type, packed, SignalRLikeOptions);
        roundTripped.Should().BeEquivalentTo(dto);
    }
}
