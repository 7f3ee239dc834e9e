using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Realtime.Contracts;
using Realtime.Persistence;

namespace Realtime.Tests.Persistence;

/// <summary>Upgrading a database that a v1 server filled: v1 stored no roles and no revisions, the migration derives them.</summary>
public abstract partial class PersistenceSpecification
{
    [Fact]
    public async Task A_v1_database_migrates_to_the_earliest_member_as_sole_owner_and_revisions_equal_to_sequences()
    {
        // A database of its own, stopped at the v1 schema as a v1 deployment left it.
        var connectionString = await CreateDatabaseAsync();
        var v1 = NewContext(connectionString);
        var initial = v1.Database.GetMigrations().Single(id => id.EndsWith("_Initial", StringComparison.Ordinal));
        await v1.GetService<IMigrator>().MigrateAsync(initial);
        (await v1.Database.GetAppliedMigrationsAsync()).Should().Equal(initial);

        // User ids sort against the order of joining, so only the join time can pick the owner; "tie" has two
        // founders joined at the same instant, where the migration falls back to the smaller user id. Joins a
        // quarter of a second apart check that SQLite's text timestamps order like the instants.
        var t = new DateTime(2026, 1, 5, 9, 0, 0, DateTimeKind.Utc);
        await InsertV1Async(v1, "v1-early", t, ("zed", t, 3), ("mia", t.AddMinutes(1), 2), ("abe", t.AddHours(2), 0));
        await InsertV1Async(v1, "v1-close", t.AddDays(1), ("mia", t.AddDays(1), 1), ("abe", t.AddDays(1).AddMilliseconds(250), 0), ("zed", t.AddDays(1).AddSeconds(1), 2));
        await InsertV1Async(v1, "v1-tie", t.AddDays(2), ("kim", t.AddDays(2), 0), ("bea", t.AddDays(2), 0));
        await InsertMessagesV1Async(v1, "v1-early", "zed", "mia", "abe");
        await InsertMessagesV1Async(v1, "v1-close", "zed", "mia");

        await ChatDatabase.MigrateAsync(NewContext(connectionString), CancellationToken.None);

        var db = NewContext(connectionString);
        (await db.Database.GetPendingMigrationsAsync()).Should().BeEmpty();
        var members = (await db.Members.AsNoTracking().OrderBy(m => m.ConversationId).ThenBy(m => m.UserId).ToListAsync())
            .Select(m => (m.ConversationId, m.UserId, m.Role, m.LastDeliveredSequence)).ToList();
        members.Should().Equal(
            ("v1-close", "abe", ConversationRoles.Member, 0L),
            ("v1-close", "mia", ConversationRoles.Owner, 1L),
            ("v1-close", "zed", ConversationRoles.Member, 2L),
            ("v1-early", "abe", ConversationRoles.Member, 0L),
            ("v1-early", "mia", ConversationRoles.Member, 2L),
            ("v1-early", "zed", ConversationRoles.Owner, 3L),
            ("v1-tie", "bea", ConversationRoles.Owner, 0L),
            ("v1-tie", "kim", ConversationRoles.Member, 0L));
        members.GroupBy(m => m.ConversationId).Should().OnlyContain(c => c.Count(m => m.Role == ConversationRoles.Owner) == 1, "every conversation has exactly one owner");

        var messages = await db.Messages.AsNoTracking().ToListAsync();
        messages.Should().HaveCount(5).And.OnlyContain(m => m.Revision == m.Sequence && m.CreatedRevision == m.Sequence && m.DeletedAt == null && m.EditedAt == null);
        var conversations = await db.Conversations.AsNoTracking().OrderBy(c => c.Id).ToListAsync();
        conversations.Select(c => (c.Id, c.LastSequence, c.LastRevision, c.Kind, c.Topic)).Should().Equal(
            ("v1-close", 2L, 2L, ConversationKinds.Group, (string?)null),
            ("v1-early", 3L, 3L, ConversationKinds.Group, null),
            ("v1-tie", 0L, 0L, ConversationKinds.Group, null));
    }

    /// <summary>Raw SQL of the v1 columns only: the v2 entities would write columns the v1 tables lack.</summary>
    private static async Task InsertV1Async(ChatDbContext db, string id, DateTime createdAt, params (string UserId, DateTime JoinedAt, long LastRead)[] members)
    {
        await db.Database.ExecuteSqlAsync($"""INSERT INTO "Conversations" ("Id", "Title", "CreatedAt", "LastSequence") VALUES ({id}, {id}, {createdAt}, {0L})""");
        foreach (var (userId, joinedAt, lastRead) in members)
        {
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO "ConversationMembers" ("ConversationId", "UserId", "JoinedAt", "LastReadSequence")
                VALUES ({id}, {userId}, {joinedAt}, {lastRead})
                """);
        }
    }

    /// <summary>One message per sender, in order, with v1's gap-free sequences and LastSequence moved with them.</summary>
    private static async Task InsertMessagesV1Async(ChatDbContext db, string conversationId, params string[] senders)
    {
        for (var sequence = 1L; sequence <= senders.Length; sequence++)
        {
            var sender = senders[sequence - 1];
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO "Messages" ("Id", "ConversationId", "Sequence", "SenderId", "ClientMessageId", "Content", "SentAt")
                VALUES ({$"{conversationId}-m{sequence}"}, {conversationId}, {sequence}, {sender}, {$"{conversationId}-c{sequence}"}, {$"message {sequence}"}, {DateTime.UtcNow})
                """);
            await db.Database.ExecuteSqlAsync($"""UPDATE "Conversations" SET "LastSequence" = {sequence} WHERE "Id" = {conversationId}""");
        }
    }
}
