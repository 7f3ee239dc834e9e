using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Realtime.Persistence;

public sealed class ChatDbContext(DbContextOptions<ChatDbContext> options) : DbContext(options)
{
    public const int IdMaxLength = 64;
    public const int UserIdMaxLength = 128;
    public const int ClientMessageIdMaxLength = 128;
    public const int TitleMaxLength = 200;

    public DbSet<Conversation> Conversations => Set<Conversation>();

    public DbSet<ConversationMember> Members => Set<ConversationMember>();

    public DbSet<Message> Messages => Set<Message>();

    public DbSet<UserPresence> Presence => Set<UserPresence>();

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
