using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Realtime.Persistence.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class ConversationLog : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "CreatedRevision",
                table: "Messages",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<DateTime>(
                name: "DeletedAt",
                table: "Messages",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "EditedAt",
                table: "Messages",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReplyToMessageId",
                table: "Messages",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "Revision",
                table: "Messages",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<string>(
                name: "DirectKey",
                table: "Conversations",
                type: "character varying(257)",
                maxLength: 257,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Kind",
                table: "Conversations",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "group");

            migrationBuilder.AddColumn<long>(
                name: "LastRevision",
                table: "Conversations",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<string>(
                name: "Topic",
                table: "Conversations",
                type: "character varying(1000)",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "DeliveredAt",
                table: "ConversationMembers",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "LastDeliveredSequence",
                table: "ConversationMembers",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<string>(
                name: "Role",
                table: "ConversationMembers",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "member");

            migrationBuilder.CreateTable(
                name: "Reactions",
                columns: table => new
                {
                    MessageId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    UserId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Emoji = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Revision = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Reactions", x => new { x.MessageId, x.UserId, x.Emoji });
                    table.ForeignKey(
                        name: "FK_Reactions_Messages_MessageId",
                        column: x => x.MessageId,
                        principalTable: "Messages",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            // Existing messages were each created by one change: their revision is their sequence. v1 kept
            // no creator, so the earliest member (the creator joined first, ties by user id) becomes owner.
            migrationBuilder.Sql("UPDATE \"Messages\" SET \"Revision\" = \"Sequence\", \"CreatedRevision\" = \"Sequence\";");
            migrationBuilder.Sql("UPDATE \"Conversations\" SET \"LastRevision\" = \"LastSequence\";");
            migrationBuilder.Sql("UPDATE \"ConversationMembers\" SET \"LastDeliveredSequence\" = \"LastReadSequence\";");
            migrationBuilder.Sql("UPDATE \"ConversationMembers\" SET \"Role\" = 'owner' WHERE \"UserId\" = (SELECT f.\"UserId\" FROM \"ConversationMembers\" AS f WHERE f.\"ConversationId\" = \"ConversationMembers\".\"ConversationId\" ORDER BY f.\"JoinedAt\", f.\"UserId\" LIMIT 1);");

            migrationBuilder.CreateIndex(
                name: "IX_Messages_ConversationId_Revision",
                table: "Messages",
                columns: new[] { "ConversationId", "Revision" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_DirectKey",
                table: "Conversations",
                column: "DirectKey",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Reactions");

            migrationBuilder.DropIndex(
                name: "IX_Messages_ConversationId_Revision",
                table: "Messages");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_DirectKey",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "CreatedRevision",
                table: "Messages");

            migrationBuilder.DropColumn(
                name: "DeletedAt",
                table: "Messages");

            migrationBuilder.DropColumn(
                name: "EditedAt",
                table: "Messages");

            migrationBuilder.DropColumn(
                name: "ReplyToMessageId",
                table: "Messages");

            migrationBuilder.DropColumn(
                name: "Revision",
                table: "Messages");

            migrationBuilder.DropColumn(
                name: "DirectKey",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "Kind",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "LastRevision",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "Topic",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "DeliveredAt",
                table: "ConversationMembers");

            migrationBuilder.DropColumn(
                name: "LastDeliveredSequence",
                table: "ConversationMembers");

            migrationBuilder.DropColumn(
                name: "Role",
                table: "ConversationMembers");
        }
    }
}
