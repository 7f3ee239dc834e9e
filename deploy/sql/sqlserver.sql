IF OBJECT_ID(N'[__EFMigrationsHistory]') IS NULL
BEGIN
    CREATE TABLE [__EFMigrationsHistory] (
        [MigrationId] nvarchar(150) NOT NULL,
        [ProductVersion] nvarchar(32) NOT NULL,
        CONSTRAINT [PK___EFMigrationsHistory] PRIMARY KEY ([MigrationId])
    );
END;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123125051_Initial'
)
BEGIN
    CREATE TABLE [Conversations] (
        [Id] nvarchar(64) NOT NULL,
        [Title] nvarchar(200) NOT NULL,
        [CreatedAt] datetime2 NOT NULL,
        [LastSequence] bigint NOT NULL,
        CONSTRAINT [PK_Conversations] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123125051_Initial'
)
BEGIN
    CREATE TABLE [UserPresence] (
        [UserId] nvarchar(128) NOT NULL,
        [LastSeenAt] datetime2 NOT NULL,
        CONSTRAINT [PK_UserPresence] PRIMARY KEY ([UserId])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123125051_Initial'
)
BEGIN
    CREATE TABLE [ConversationMembers] (
        [ConversationId] nvarchar(64) NOT NULL,
        [UserId] nvarchar(128) NOT NULL,
        [JoinedAt] datetime2 NOT NULL,
        [LastReadSequence] bigint NOT NULL,
        [ReadAt] datetime2 NULL,
        CONSTRAINT [PK_ConversationMembers] PRIMARY KEY ([ConversationId], [UserId]),
        CONSTRAINT [FK_ConversationMembers_Conversations_ConversationId] FOREIGN KEY ([ConversationId]) REFERENCES [Conversations] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123125051_Initial'
)
BEGIN
    CREATE TABLE [Messages] (
        [Id] nvarchar(64) NOT NULL,
        [ConversationId] nvarchar(64) NOT NULL,
        [Sequence] bigint NOT NULL,
        [SenderId] nvarchar(128) NOT NULL,
        [ClientMessageId] nvarchar(128) NOT NULL,
        [Content] nvarchar(max) NOT NULL,
        [SentAt] datetime2 NOT NULL,
        CONSTRAINT [PK_Messages] PRIMARY KEY ([Id]),
        CONSTRAINT [FK_Messages_Conversations_ConversationId] FOREIGN KEY ([ConversationId]) REFERENCES [Conversations] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123125051_Initial'
)
BEGIN
    CREATE INDEX [IX_ConversationMembers_UserId] ON [ConversationMembers] ([UserId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123125051_Initial'
)
BEGIN
    CREATE UNIQUE INDEX [IX_Messages_ConversationId_Sequence] ON [Messages] ([ConversationId], [Sequence]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123125051_Initial'
)
BEGIN
    CREATE UNIQUE INDEX [IX_Messages_SenderId_ClientMessageId] ON [Messages] ([SenderId], [ClientMessageId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261123125051_Initial'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261123125051_Initial', N'10.0.14');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202020513_ConversationLog'
)
BEGIN
    ALTER TABLE [Messages] ADD [CreatedRevision] bigint NOT NULL DEFAULT CAST(0 AS bigint);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202020513_ConversationLog'
)
BEGIN
    ALTER TABLE [Messages] ADD [DeletedAt] datetime2 NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202020513_ConversationLog'
)
BEGIN
    ALTER TABLE [Messages] ADD [EditedAt] datetime2 NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202020513_ConversationLog'
)
BEGIN
    ALTER TABLE [Messages] ADD [ReplyToMessageId] nvarchar(64) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202020513_ConversationLog'
)
BEGIN
    ALTER TABLE [Messages] ADD [Revision] bigint NOT NULL DEFAULT CAST(0 AS bigint);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202020513_ConversationLog'
)
BEGIN
    ALTER TABLE [Conversations] ADD [DirectKey] nvarchar(257) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202020513_ConversationLog'
)
BEGIN
    ALTER TABLE [Conversations] ADD [Kind] nvarchar(16) NOT NULL DEFAULT N'group';
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202020513_ConversationLog'
)
BEGIN
    ALTER TABLE [Conversations] ADD [LastRevision] bigint NOT NULL DEFAULT CAST(0 AS bigint);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202020513_ConversationLog'
)
BEGIN
    ALTER TABLE [Conversations] ADD [Topic] nvarchar(1000) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202020513_ConversationLog'
)
BEGIN
    ALTER TABLE [ConversationMembers] ADD [DeliveredAt] datetime2 NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202020513_ConversationLog'
)
BEGIN
    ALTER TABLE [ConversationMembers] ADD [LastDeliveredSequence] bigint NOT NULL DEFAULT CAST(0 AS bigint);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202020513_ConversationLog'
)
BEGIN
    ALTER TABLE [ConversationMembers] ADD [Role] nvarchar(16) NOT NULL DEFAULT N'member';
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202020513_ConversationLog'
)
BEGIN
    CREATE TABLE [Reactions] (
        [MessageId] nvarchar(64) NOT NULL,
        [UserId] nvarchar(128) NOT NULL,
        [Emoji] nvarchar(32) COLLATE Latin1_General_100_BIN2 NOT NULL,
        [Revision] bigint NOT NULL,
        CONSTRAINT [PK_Reactions] PRIMARY KEY ([MessageId], [UserId], [Emoji]),
        CONSTRAINT [FK_Reactions_Messages_MessageId] FOREIGN KEY ([MessageId]) REFERENCES [Messages] ([Id]) ON DELETE CASCADE
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202020513_ConversationLog'
)
BEGIN
    UPDATE [Messages] SET [Revision] = [Sequence], [CreatedRevision] = [Sequence];
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202020513_ConversationLog'
)
BEGIN
    UPDATE [Conversations] SET [LastRevision] = [LastSequence];
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202020513_ConversationLog'
)
BEGIN
    UPDATE [ConversationMembers] SET [LastDeliveredSequence] = [LastReadSequence];
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202020513_ConversationLog'
)
BEGIN
    UPDATE [ConversationMembers] SET [Role] = 'owner' WHERE [UserId] = (SELECT TOP 1 f.[UserId] FROM [ConversationMembers] AS f WHERE f.[ConversationId] = [ConversationMembers].[ConversationId] ORDER BY f.[JoinedAt], f.[UserId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202020513_ConversationLog'
)
BEGIN
    CREATE UNIQUE INDEX [IX_Messages_ConversationId_Revision] ON [Messages] ([ConversationId], [Revision]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202020513_ConversationLog'
)
BEGIN
    EXEC(N'CREATE UNIQUE INDEX [IX_Conversations_DirectKey] ON [Conversations] ([DirectKey]) WHERE [DirectKey] IS NOT NULL');
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261202020513_ConversationLog'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261202020513_ConversationLog', N'10.0.14');
END;

COMMIT;
GO

