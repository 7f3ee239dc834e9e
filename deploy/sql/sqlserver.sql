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

