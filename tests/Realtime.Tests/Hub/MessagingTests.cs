using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Realtime.Client;
using Realtime.Contracts;
using Realtime.Server.Delivery;
using Realtime.Tests.Infrastructure;

namespace Realtime.Tests.Hub;

public sealed class MessagingTests(ChatServerFixture fixture) : IClassFixture<ChatServerFixture>
{
    private ChatServer Server => fixture.Server;

    [Theory]
    [InlineData(ChatProtocol.Json, ChatProtocol.Json)]
    [InlineData(ChatProtocol.MessagePack, ChatProtocol.MessagePack)]
    [InlineData(ChatProtocol.Json, ChatProtocol.MessagePack)]
    public async Task Two_users_chat_and_both_receive_every_message_in_order(ChatProtocol aliceProtocol, ChatProtocol bobProtocol)
    {
        await using var alice = await Server.ConnectAsync(Users.Unique("alice"), aliceProtocol);
        await using var bob = await Server.ConnectAsync(Users.Unique("bob"), bobProtocol);
        var conversation = await alice.Hub.CreateConversation("lunch", [bob.UserId]);

        for (var i = 1; i <= 5; i++)
        {
            var sender = i % 2 == 1 ? alice : bob;
            var sent = await sender.Hub.SendMessage(conversation.Id, $"m{i}", $"message {i} <b>&</b> ' OR 1=1 --");
            sent.Sequence.Should().Be(i);
            sent.SenderId.Should().Be(sender.UserId);
            sent.SentAt.Kind.Should().Be(DateTimeKind.Utc);
        }

        foreach (var member in new[] { alice, bob })
        {
            await member.Received.WaitUntilAsync(r => r.Messages(conversation.Id).Count == 5, "all five messages arrive");
            var received = member.Received.Messages(conversation.Id);
            received.Select(m => m.Sequence).Should().Equal(1, 2, 3, 4, 5);
            received.Select(m => m.Content).Should().OnlyContain(c => c.EndsWith(" <b>&</b> ' OR 1=1 --", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Sequences_have_no_gaps_or_duplicates_under_twenty_concurrent_senders()
    {
        const int senders = 20;
        const int messagesEach = 10;
        var clients = await Task.WhenAll(Enumerable.Range(0, senders).Select(i =>
            Server.ConnectAsync(Users.Unique($"s{i}"), i % 2 == 0 ? ChatProtocol.Json : ChatProtocol.MessagePack)));
        try
        {
            var conversation = await clients[0].Hub.CreateConversation("busy", clients.Skip(1).Select(c => c.UserId).ToList());
            await Task.WhenAll(clients.Select(async client =>
            {
                for (var i = 0; i < messagesEach; i++)
                {
                    await client.Hub.SendMessage(conversation.Id, $"{client.UserId}-{i}", $"hello {i}");
                }
            }));

            var stored = await clients[0].Hub.GetMessages(conversation.Id, 0, 1000);
            stored.Select(m => m.Sequence).Should().Equal(Enumerable.Range(1, senders * messagesEach).Select(i => (long)i));
            await clients[^1].Received.WaitUntilAsync(r => r.Messages(conversation.Id).Count == senders * messagesEach, "every message is delivered");
            clients[^1].Received.Messages(conversation.Id).Select(m => m.Sequence).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_committed_batch_reaches_each_member_as_one_frame_with_its_messages_in_sequence_order()
    {
        await using var alice = await Server.ConnectAsync(Users.Unique("alice"));
        var bob = Users.Unique("bob");
        var shared = await alice.Hub.CreateConversation("frames", [bob]);
        var alicesOwn = await alice.Hub.CreateConversation("not bob's", []);
        await using var socket = await RawHubSocket.ConnectAsync(Server.BaseAddress, await Server.IssueTokenAsync(bob));
        // A call is answered only after the connection has joined its conversations' groups.
        (await socket.CompletionErrorAsync(await socket.InvokeAsync("GetConversations", "[]"))).Should().BeNull();

        var now = DateTime.UtcNow;
        LogEntry Message(string conversationId, long sequence) =>
            LogEntry.Created(new($"id-{conversationId}-{sequence}", conversationId, sequence, alice.UserId, $"c{sequence}", $"text {sequence}", now, sequence, null, null, null, []));
        await Server.Services.GetRequiredService<IMessageBroadcast>().PublishAsync(
            [Message(alicesOwn.Id, 1), Message(shared.Id, 1), Message(shared.Id, 2), Message(shared.Id, 3)]);

        IReadOnlyList<string> frame;
        do
        {
            // Keep-alive pings may come first.
            frame = await socket.ReceiveFrameAsync() ?? throw new InvalidOperationException("The server closed the connection.");
        }
        while (frame.All(record => record.Contains("\"type\":6", StringComparison.Ordinal)));

        var delivered = frame.Select(record => JsonDocument.Parse(record).RootElement).ToList();
        delivered.Should().OnlyContain(m => m.GetProperty("type").GetInt32() == 1 && m.GetProperty("target").GetString() == "MessageReceived");
        delivered.Select(m => m.GetProperty("arguments")[0].GetProperty("conversationId").GetString()).Should().OnlyContain(id => id == shared.Id, "bob is not in alice's own conversation");
        delivered.Select(m => m.GetProperty("arguments")[0].GetProperty("sequence").GetInt64()).Should().Equal(1, 2, 3);
    }

    [Theory]
    [InlineData(ChatProtocol.Json)]
    [InlineData(ChatProtocol.MessagePack)]
    public async Task A_retried_client_message_id_returns_the_original_and_is_delivered_once(ChatProtocol protocol)
    {
        await using var alice = await Server.ConnectAsync(Users.Unique("alice"), protocol);
        await using var bob = await Server.ConnectAsync(Users.Unique("bob"), protocol);
        var conversation = await alice.Hub.CreateConversation("retry", [bob.UserId]);

        var original = await alice.Hub.SendMessage(conversation.Id, "same-key", "hello");
        var retry = await alice.Hub.SendMessage(conversation.Id, "same-key", "hello");
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => alice.Hub.SendMessage(conversation.Id, "raced-key", "race")));
        var after = await alice.Hub.SendMessage(conversation.Id, "next-key", "after");

        retry.Should().Be(original);
        concurrent.Select(m => m.Id).Distinct().Should().ContainSingle();
        after.Sequence.Should().Be(3, "the retries used no sequence numbers");
        await bob.Received.WaitForMessageAsync(conversation.Id, after.Sequence);
        bob.Received.Messages(conversation.Id).Select(m => m.Sequence).Should().Equal(1, 2, 3);
    }

    [Theory]
    [InlineData(ChatProtocol.Json)]
    [InlineData(ChatProtocol.MessagePack)]
    public async Task Resync_after_a_reconnect_returns_exactly_the_missed_messages(ChatProtocol protocol)
    {
        await using var alice = await Server.ConnectAsync(Users.Unique("alice"), protocol);
        var bob = await Server.ConnectAsync(Users.Unique("bob"), protocol);
        var conversation = await alice.Hub.CreateConversation("resync", [bob.UserId]);
        await alice.Hub.SendMessage(conversation.Id, "a1", "one");
        await alice.Hub.SendMessage(conversation.Id, "a2", "two");
        await bob.Received.WaitForMessageAsync(conversation.Id, 2);
        var lastSeen = bob.Received.Messages(conversation.Id).Max(m => m.Sequence);
        await bob.DisposeAsync();

        for (var i = 3; i <= 7; i++)
        {
            await alice.Hub.SendMessage(conversation.Id, $"a{i}", $"missed {i}");
        }

        await using var bobAgain = await Server.ConnectAsync(bob.UserId, protocol);
        var missed = await bobAgain.Hub.GetMessages(conversation.Id, lastSeen, 100);
        missed.Select(m => m.Sequence).Should().Equal(3, 4, 5, 6, 7);
        missed.Select(m => m.Content).Should().Equal("missed 3", "missed 4", "missed 5", "missed 6", "missed 7");

        var page = await bobAgain.Hub.GetMessages(conversation.Id, lastSeen, 2);
        page.Select(m => m.Sequence).Should().Equal(3, 4);
    }

    [Fact]
    public async Task History_pages_backwards_in_ascending_order()
    {
        await using var alice = await Server.ConnectAsync(Users.Unique("alice"));
        var conversation = await alice.Hub.CreateConversation("history", []);
        for (var i = 1; i <= 10; i++)
        {
            await alice.Hub.SendMessage(conversation.Id, $"h{i}", $"m{i}");
        }

        (await alice.Hub.GetHistory(conversation.Id, null, 3)).Select(m => m.Sequence).Should().Equal(8, 9, 10);
        (await alice.Hub.GetHistory(conversation.Id, 8, 3)).Select(m => m.Sequence).Should().Equal(5, 6, 7);
        (await alice.Hub.GetHistory(conversation.Id, 3, 10)).Select(m => m.Sequence).Should().Equal(1, 2);
        (await alice.Hub.GetHistory(conversation.Id, 1, 10)).Should().BeEmpty();
    }

    [Fact]
    public async Task Read_receipts_keep_a_watermark_that_never_moves_backwards_and_drive_unread_counts()
    {
        await using var alice = await Server.ConnectAsync(Users.Unique("alice"));
        await using var bob = await Server.ConnectAsync(Users.Unique("bob"), ChatProtocol.MessagePack);
        var conversation = await alice.Hub.CreateConversation("receipts", [bob.UserId]);
        for (var i = 1; i <= 4; i++)
        {
            await alice.Hub.SendMessage(conversation.Id, $"r{i}", $"m{i}");
        }

        await bob.Hub.SendMessage(conversation.Id, "b1", "bob's own message is never unread for bob");

        var bobsView = (await bob.Hub.GetConversations()).Single(c => c.Id == conversation.Id);
        bobsView.LastSequence.Should().Be(5);
        bobsView.LastReadSequence.Should().Be(0);
        bobsView.UnreadCount.Should().Be(4);
        var alicesView = (await alice.Hub.GetConversations()).Single(c => c.Id == conversation.Id);
        alicesView.UnreadCount.Should().Be(1);

        var receipt = await bob.Hub.MarkRead(conversation.Id, 3);
        receipt.Should().BeEquivalentTo(new { ConversationId = conversation.Id, UserId = bob.UserId, LastReadSequence = 3L });
        var broadcast = await alice.Received.WaitForAsync<ReadReceiptDto>(r => r.UserId == bob.UserId, "alice sees bob's receipt");
        broadcast.LastReadSequence.Should().Be(3);

        var backwards = await bob.Hub.MarkRead(conversation.Id, 1);
        backwards.LastReadSequence.Should().Be(3, "the watermark never moves backwards");
        var beyondTheEnd = await bob.Hub.MarkRead(conversation.Id, 999);
        beyondTheEnd.LastReadSequence.Should().Be(5, "a watermark cannot pass the last message");

        (await bob.Hub.GetConversations()).Single(c => c.Id == conversation.Id)
            .Should().BeEquivalentTo(new { LastReadSequence = 5L, UnreadCount = 0L });
        await alice.Received.WaitUntilAsync(r => r.Of<ReadReceiptDto>().Any(x => x.LastReadSequence == 5), "the last receipt arrives");
        alice.Received.Of<ReadReceiptDto>().Select(x => x.LastReadSequence).Should().Equal([3L, 5L], "a call that did not move the watermark is not broadcast");
    }
}
