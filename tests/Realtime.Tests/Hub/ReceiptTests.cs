using Realtime.Client;
using Realtime.Contracts;
using Realtime.Tests.Infrastructure;

namespace Realtime.Tests.Hub;

/// <summary>Delivered and read watermarks, broadcast live and read back for "delivered" and "seen by" (contract v2 §6).</summary>
public sealed class ReceiptTests(ChatServerFixture fixture) : IClassFixture<ChatServerFixture>
{
    private ChatServer Server => fixture.Server;

    [Theory]
    [InlineData(ChatProtocol.Json)]
    [InlineData(ChatProtocol.MessagePack)]
    public async Task The_delivered_watermark_never_moves_backwards_stops_at_the_last_message_and_never_falls_below_the_read_one(ChatProtocol protocol)
    {
        await using var alice = await Server.ConnectAsync(Users.Unique("alice"), protocol);
        await using var bob = await Server.ConnectAsync(Users.Unique("bob"), protocol);
        var conversation = await alice.Hub.CreateConversation("ticks", [bob.UserId]);
        for (var i = 1; i <= 6; i++)
        {
            await alice.Hub.SendMessage(conversation.Id, $"t{i}", $"message {i}");
        }

        var delivered = await bob.Hub.MarkDelivered(conversation.Id, 3);
        (delivered.LastDeliveredSequence, delivered.LastReadSequence, delivered.UserId).Should().Be((3L, 0L, bob.UserId));
        await alice.Received.WaitForAsync<ReadReceiptDto>(r => r.UserId == bob.UserId && r.LastDeliveredSequence == 3, "alice sees the delivered tick");
        var heard = alice.Received.Of<ReadReceiptDto>().Count;

        (await bob.Hub.MarkDelivered(conversation.Id, 2)).LastDeliveredSequence.Should().Be(3, "it never moves backwards");
        (await bob.Hub.MarkDelivered(conversation.Id, 3)).LastDeliveredSequence.Should().Be(3);
        (await bob.Hub.MarkDelivered(conversation.Id, 500)).LastDeliveredSequence.Should().Be(6, "it stops at the last message");
        var clamped = await alice.Received.WaitForAsync<ReadReceiptDto>(r => r.UserId == bob.UserId && r.LastDeliveredSequence == 6, "alice sees every message delivered");
        alice.Received.Of<ReadReceiptDto>().Skip(heard).Should().Equal([clamped], "the calls that changed nothing sent nothing");

        await alice.Hub.SendMessage(conversation.Id, "t7", "message 7");
        await alice.Hub.SendMessage(conversation.Id, "t8", "message 8");
        var read = await bob.Hub.MarkRead(conversation.Id, 8);
        (read.LastReadSequence, read.LastDeliveredSequence).Should().Be((8L, 8L), "what was read was delivered");
        (await bob.Hub.MarkDelivered(conversation.Id, 7)).Should().Match<ReadReceiptDto>(r => r.LastDeliveredSequence == 8 && r.LastReadSequence == 8);
        (await ErrorTests.ErrorOf(() => bob.Hub.MarkDelivered(conversation.Id, -1))).Should().StartWith("invalid_argument: ");
        (await ErrorTests.ErrorOf(() => bob.Hub.MarkDelivered("no-such-conversation", 1))).Should().StartWith("not_found: ");
    }

    [Fact]
    public async Task GetReceipts_has_one_entry_per_member_who_has_read_or_received_anything()
    {
        await using var alice = await Server.ConnectAsync(Users.Unique("alice"));
        await using var bob = await Server.ConnectAsync(Users.Unique("bob"), ChatProtocol.MessagePack);
        var (carolId, daveId) = (Users.Unique("carol"), Users.Unique("dave"));
        var conversation = await alice.Hub.CreateConversation("seen by", [bob.UserId, carolId, daveId]);
        (await alice.Hub.GetReceipts(conversation.Id)).Should().BeEmpty("nobody has received anything yet");
        for (var i = 1; i <= 4; i++)
        {
            await alice.Hub.SendMessage(conversation.Id, $"s{i}", $"message {i}");
        }

        await bob.Hub.MarkDelivered(conversation.Id, 4);
        await bob.Hub.MarkRead(conversation.Id, 2);
        await using (var carol = await Server.ConnectAsync(carolId))
        {
            await carol.Hub.MarkRead(conversation.Id, 3);
        }

        var receipts = await bob.Hub.GetReceipts(conversation.Id);

        receipts.Select(r => (r.UserId, r.LastReadSequence, r.LastDeliveredSequence)).Should().BeEquivalentTo(
            [(bob.UserId, 2L, 4L), (carolId, 3L, 3L)], "dave has neither read nor received anything");
        receipts.Should().OnlyContain(r => r.ConversationId == conversation.Id && r.ReadAt.Kind == DateTimeKind.Utc);
        (await alice.Hub.GetReceipts(conversation.Id)).Should().BeEquivalentTo(receipts, "every member sees the same receipts");
        var bobsView = (await bob.Hub.GetConversations()).Single(c => c.Id == conversation.Id);
        (bobsView.LastReadSequence, bobsView.LastDeliveredSequence, bobsView.UnreadCount).Should().Be((2L, 4L, 2L), "GetConversations keeps the caller's own watermarks");
    }
}
