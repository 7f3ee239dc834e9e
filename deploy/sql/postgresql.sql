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

START TRANSACTION;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261202020520_ConversationLog') THEN
    ALTER TABLE "Messages" ADD "CreatedRevision" bigint NOT NULL DEFAULT 0;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261202020520_ConversationLog') THEN
    ALTER TABLE "Messages" ADD "DeletedAt" timestamp with time zone;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261202020520_ConversationLog') THEN
    ALTER TABLE "Messages" ADD "EditedAt" timestamp with time zone;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261202020520_ConversationLog') THEN
    ALTER TABLE "Messages" ADD "ReplyToMessageId" character varying(64);
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261202020520_ConversationLog') THEN
    ALTER TABLE "Messages" ADD "Revision" bigint NOT NULL DEFAULT 0;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261202020520_ConversationLog') THEN
    ALTER TABLE "Conversations" ADD "DirectKey" character varying(257);
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261202020520_ConversationLog') THEN
    ALTER TABLE "Conversations" ADD "Kind" character varying(16) NOT NULL DEFAULT 'group';
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261202020520_ConversationLog') THEN
    ALTER TABLE "Conversations" ADD "LastRevision" bigint NOT NULL DEFAULT 0;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261202020520_ConversationLog') THEN
    ALTER TABLE "Conversations" ADD "Topic" character varying(1000);
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261202020520_ConversationLog') THEN
    ALTER TABLE "ConversationMembers" ADD "DeliveredAt" timestamp with time zone;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261202020520_ConversationLog') THEN
    ALTER TABLE "ConversationMembers" ADD "LastDeliveredSequence" bigint NOT NULL DEFAULT 0;
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261202020520_ConversationLog') THEN
    ALTER TABLE "ConversationMembers" ADD "Role" character varying(16) NOT NULL DEFAULT 'member';
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261202020520_ConversationLog') THEN
    CREATE TABLE "Reactions" (
        "MessageId" character varying(64) NOT NULL,
        "UserId" character varying(128) NOT NULL,
        "Emoji" character varying(32) NOT NULL,
        "Revision" bigint NOT NULL,
        CONSTRAINT "PK_Reactions" PRIMARY KEY ("MessageId", "UserId", "Emoji"),
        CONSTRAINT "FK_Reactions_Messages_MessageId" FOREIGN KEY ("MessageId") REFERENCES "Messages" ("Id") ON DELETE CASCADE
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261202020520_ConversationLog') THEN
    UPDATE "Messages" SET "Revision" = "Sequence", "CreatedRevision" = "Sequence";
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261202020520_ConversationLog') THEN
    UPDATE "Conversations" SET "LastRevision" = "LastSequence";
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261202020520_ConversationLog') THEN
    UPDATE "ConversationMembers" SET "LastDeliveredSequence" = "LastReadSequence";
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261202020520_ConversationLog') THEN
    UPDATE "ConversationMembers" SET "Role" = 'owner' WHERE "UserId" = (SELECT f."UserId" FROM "ConversationMembers" AS f WHERE f."ConversationId" = "ConversationMembers"."ConversationId" ORDER BY f."JoinedAt", f."UserId" LIMIT 1);
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261202020520_ConversationLog') THEN
    CREATE UNIQUE INDEX "IX_Messages_ConversationId_Revision" ON "Messages" ("ConversationId", "Revision");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261202020520_ConversationLog') THEN
    CREATE UNIQUE INDEX "IX_Conversations_DirectKey" ON "Conversations" ("DirectKey");
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "MigrationId" = '20261202020520_ConversationLog') THEN
    INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
    VALUES ('20261202020520_ConversationLog', '10.0.14');
    END IF;
END $EF$;
COMMIT;

