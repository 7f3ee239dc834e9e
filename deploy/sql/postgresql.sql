CREATE TABLE IF NOT EXISTS "__EFMigrationsHistory" (
    "MigrationId" character varying(150) NOT NULL,
    "ProductVersion" character varying(32) NOT NULL,
    CONSTRAINT "PK___EFMigrationsHistory" PRIMARY KEY ("MigrationId")
);

START TRANSACTION;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261123125057_Initial') THEN
    CREATE TABLE "Conversations" (
        "Id" character varying(64) NOT NULL,
        "Title" character varying(200) NOT NULL,
        "CreatedAt" timestamp with time zone NOT NULL,
        "LastSequence" bigint NOT NULL,
        CONSTRAINT "PK_Conversations" PRIMARY KEY ("Id")
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261123125057_Initial') THEN
    CREATE TABLE "UserPresence" (
        "UserId" character varying(128) NOT NULL,
        "LastSeenAt" timestamp with time zone NOT NULL,
        CONSTRAINT "PK_UserPresence" PRIMARY KEY ("UserId")
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261123125057_Initial') THEN
    CREATE TABLE "ConversationMembers" (
        "ConversationId" character varying(64) NOT NULL,
        "UserId" character varying(128) NOT NULL,
        "JoinedAt" timestamp with time zone NOT NULL,
        "LastReadSequence" bigint NOT NULL,
        "ReadAt" timestamp with time zone,
        CONSTRAINT "PK_ConversationMembers" PRIMARY KEY ("ConversationId", "UserId"),
        CONSTRAINT "FK_ConversationMembers_Conversations_ConversationId" FOREIGN KEY ("ConversationId") REFERENCES "Conversations" ("Id") ON DELETE CASCADE
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261123125057_Initial') THEN
    CREATE TABLE "Messages" (
        "Id" character varying(64) NOT NULL,
        "ConversationId" character varying(64) NOT NULL,
        "Sequence" bigint NOT NULL,
        "SenderId" character varying(128) NOT NULL,
        "ClientMessageId" character varying(128) NOT NULL,
        "Content" text NOT NULL,
        "SentAt" timestamp with time zone NOT NULL,
        CONSTRAINT "PK_Messages" PRIMARY KEY ("Id"),
        CONSTRAINT "FK_Messages_Conversations_ConversationId" FOREIGN KEY ("ConversationId") REFERENCES "Conversations" ("Id") ON DELETE CASCADE
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261123125057_Initial') THEN
    CREATE INDEX "IX_ConversationMembers_UserId" ON "ConversationMembers" ("UserId");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261123125057_Initial') THEN
    CREATE UNIQUE INDEX "IX_Messages_ConversationId_Sequence" ON "Messages" ("ConversationId", "Sequence");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261123125057_Initial') THEN
    CREATE UNIQUE INDEX "IX_Messages_SenderId_ClientMessageId" ON "Messages" ("SenderId", "ClientMessageId");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261123125057_Initial') THEN
    INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
    VALUES ('20261123125057_Initial', '10.0.14');
    END IF;
END $EF$;
COMMIT;

