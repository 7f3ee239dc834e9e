using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Realtime.Persistence;

public sealed class ChatDbContext(DbContextOptions<ChatDbContext> options) : DbContext(options)
{
    public const int IdMaxLength = 64;
    public const int UserIdMaxLength = 128;
    public const int ClientMessageIdMaxLength = 128;
    public const int TitleMaxLength = 200;
    public const int TopicMaxLength = 1000;
    public const int EmojiMaxLength = 32;
    public const int KindMaxLength = 16;

    public DbSet<Conversation> Conversations => Set<Conversation>();

    public DbSet<ConversationMember> Members => Set<ConversationMember>();

    public DbSet<Message> Messages => Set<Message>();

    public DbSet<UserPresence> Presence => Set<UserPresence>();

    public DbSet<Reaction> Reactions => Set<Reaction>();

    private DatabaseProvider? _provider;

    /// <summary>Kept once per (pooled) context: resolving the provider's name reads assembly metadata on every call.</summary>
    public DatabaseProvider Provider => _provider ??= ChatDatabase.ProviderOf(this);

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every time is UTC; SQLite and SQL Server would otherwise hand back DateTimeKind.Unspecified.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Conversation>(conversation =>
        {
            conversation.ToTable("Conversations");
            conversation.HasKey(c => c.Id);
            conversation.Property(c => c.Id).HasMaxLength(IdMaxLength);
            conversation.Property(c => c.Title).HasMaxLength(TitleMaxLength);
            conversation.Property(c => c.Topic).HasMaxLength(TopicMaxLength);
            conversation.Property(c => c.Kind).HasMaxLength(KindMaxLength).HasDefaultValue("group");
            conversation.Property(c => c.DirectKey).HasMaxLength(2 * UserIdMaxLength + 1);
            // One direct conversation per pair, whichever node or caller creates it: the database decides.
            conversation.HasIndex(c => c.DirectKey).IsUnique();
            conversation.HasMany(c => c.Members).WithOne(m => m.Conversation).HasForeignKey(m => m.ConversationId);
        });

        modelBuilder.Entity<ConversationMember>(member =>
        {
            member.ToTable("ConversationMembers");
            member.HasKey(m => new { m.ConversationId, m.UserId });
            member.Property(m => m.ConversationId).HasMaxLength(IdMaxLength);
            member.Property(m => m.UserId).HasMaxLength(UserIdMaxLength);
            // "My conversations" and "who shares a conversation with me" start from the user.
            member.HasIndex(m => m.UserId);
            member.Property(m => m.Role).HasMaxLength(KindMaxLength).HasDefaultValue("member");
        });

        modelBuilder.Entity<Message>(message =>
        {
            message.ToTable("Messages");
            message.HasKey(m => m.Id);
            message.Property(m => m.Id).HasMaxLength(IdMaxLength);
            message.Property(m => m.ConversationId).HasMaxLength(IdMaxLength);
            message.Property(m => m.SenderId).HasMaxLength(UserIdMaxLength);
            message.Property(m => m.ClientMessageId).HasMaxLength(ClientMessageIdMaxLength);
            message.HasOne<Conversation>().WithMany().HasForeignKey(m => m.ConversationId);
            // Gap-free ordering and idempotent retries are enforced by the database, not only by code.
            // The first index also serves paging, resync and unread counts (range scans on Sequence).
            message.HasIndex(m => new { m.ConversationId, m.Sequence }).IsUnique();
            message.HasIndex(m => new { m.SenderId, m.ClientMessageId }).IsUnique();
            message.Property(m => m.ReplyToMessageId).HasMaxLength(IdMaxLength);
            // Each change takes a revision of its own, so a message's current revision is unique in its
            // conversation; the index serves GetChanges and delivery read-backs (range scans on Revision).
            message.HasIndex(m => new { m.ConversationId, m.Revision }).IsUnique();
        });

        modelBuilder.Entity<Reaction>(reaction =>
        {
            reaction.ToTable("Reactions");
            reaction.HasKey(r => new { r.MessageId, r.UserId, r.Emoji });
            reaction.Property(r => r.MessageId).HasMaxLength(IdMaxLength);
            reaction.Property(r => r.UserId).HasMaxLength(UserIdMaxLength);
            reaction.Property(r => r.Emoji).HasMaxLength(EmojiMaxLength);
            if (Database.ProviderName == "Microsoft.EntityFrameworkCore.SqlServer")
            {
                // SQL Server's default collations compare many emoji as equal; the key must tell every one apart.
                reaction.Property(r => r.Emoji).UseCollation("Latin1_General_100_BIN2");
            }
            reaction.HasOne<Message>().WithMany().HasForeignKey(r => r.MessageId);
        });

        modelBuilder.Entity<UserPresence>(presence =>
        {
            presence.ToTable("UserPresence");
            presence.HasKey(p => p.UserId);
            presence.Property(p => p.UserId).HasMaxLength(UserIdMaxLength);
        });
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        value => value.Kind == DateTimeKind.Utc ? value : value.ToUniversalTime(),
        value => DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
