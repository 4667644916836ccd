using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Postmaster.Web.Infrastructure.Database.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Incidents : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "IncidentsAppliedAt",
                table: "SweepRuns",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "Backfilled",
                table: "ListingEvents",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "Backfilled",
                table: "EpisodeEvents",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "Incidents",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Provider = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    GroupKey = table.Column<string>(type: "character varying(80)", maxLength: 80, nullable: false),
                    AssetId = table.Column<long>(type: "bigint", nullable: true),
                    GroupValue = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    GroupLabel = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    InInventory = table.Column<bool>(type: "boolean", nullable: false),
                    GroupSize = table.Column<long>(type: "bigint", nullable: false),
                    State = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Severity = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    SeverityPinned = table.Column<bool>(type: "boolean", nullable: false),
                    Weight = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Assignee = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    OpenedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ClosedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LastActivityAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    AffectedCount = table.Column<long>(type: "bigint", nullable: false),
                    CitedBy = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    HasListings = table.Column<bool>(type: "boolean", nullable: false),
                    CleanChecks = table.Column<int>(type: "integer", nullable: false),
                    HasRejections = table.Column<bool>(type: "boolean", nullable: false),
                    RejectionsEnded = table.Column<bool>(type: "boolean", nullable: false),
                    AcceptedSinceEnd = table.Column<bool>(type: "boolean", nullable: false),
                    ActiveMarker = table.Column<int>(type: "integer", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Incidents", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "IncidentSamples",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    IncidentId = table.Column<long>(type: "bigint", nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Receiver = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    SourceIp = table.Column<string>(type: "character varying(45)", maxLength: 45, nullable: true),
                    Mx = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    Kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    SmtpCode = table.Column<int>(type: "integer", nullable: true),
                    EnhancedCode = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    Response = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_IncidentSamples", x => x.Id);
                    table.ForeignKey(
                        name: "FK_IncidentSamples_Incidents_IncidentId",
                        column: x => x.IncidentId,
                        principalTable: "Incidents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "IncidentTimeline",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    IncidentId = table.Column<long>(type: "bigint", nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Actor = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    Detail = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    Count = table.Column<int>(type: "integer", nullable: false),
                    MergeKey = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_IncidentTimeline", x => x.Id);
                    table.ForeignKey(
                        name: "FK_IncidentTimeline_Incidents_IncidentId",
                        column: x => x.IncidentId,
                        principalTable: "Incidents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "IncidentValues",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    IncidentId = table.Column<long>(type: "bigint", nullable: false),
                    Value = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    Source = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    Basis = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Active = table.Column<bool>(type: "boolean", nullable: false),
                    BlocklistId = table.Column<long>(type: "bigint", nullable: true),
                    Codes = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    Categories = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    Reason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    FirstSeen = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    LastSeen = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ClearedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_IncidentValues", x => x.Id);
                    table.ForeignKey(
                        name: "FK_IncidentValues_Incidents_IncidentId",
                        column: x => x.IncidentId,
                        principalTable: "Incidents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_SweepRuns_State_IncidentsAppliedAt",
                table: "SweepRuns",
                columns: new[] { "State", "IncidentsAppliedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_IncidentSamples_IncidentId_Id",
                table: "IncidentSamples",
                columns: new[] { "IncidentId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_IncidentTimeline_At",
                table: "IncidentTimeline",
                column: "At");

            migrationBuilder.CreateIndex(
                name: "IX_IncidentTimeline_IncidentId_Id",
                table: "IncidentTimeline",
                columns: new[] { "IncidentId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_IncidentValues_IncidentId_Active",
                table: "IncidentValues",
                columns: new[] { "IncidentId", "Active" });

            migrationBuilder.CreateIndex(
                name: "IX_IncidentValues_IncidentId_Value_Source",
                table: "IncidentValues",
                columns: new[] { "IncidentId", "Value", "Source" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Incidents_ActiveMarker_LastActivityAt_Id",
                table: "Incidents",
                columns: new[] { "ActiveMarker", "LastActivityAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Incidents_AssetId",
                table: "Incidents",
                column: "AssetId");

            migrationBuilder.CreateIndex(
                name: "IX_Incidents_LastActivityAt_Id",
                table: "Incidents",
                columns: new[] { "LastActivityAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Incidents_Provider_GroupKey_ActiveMarker",
                table: "Incidents",
                columns: new[] { "Provider", "GroupKey", "ActiveMarker" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Incidents_State_LastActivityAt_Id",
                table: "Incidents",
                columns: new[] { "State", "LastActivityAt", "Id" });

            // What is active at the upgrade becomes incidents, without alerts: the old events count as
            // processed (nothing is replayed), and one backfilled event stands for each active listing
            // and open episode. The engine applies them at its first pass.
            migrationBuilder.Sql("""
                UPDATE "ListingEvents" SET "ProcessedAt" = "At" WHERE "ProcessedAt" IS NULL;
                UPDATE "EpisodeEvents" SET "ProcessedAt" = "At" WHERE "ProcessedAt" IS NULL;
                UPDATE "SweepRuns" SET "IncidentsAppliedAt" = "CreatedAt" WHERE "IncidentsAppliedAt" IS NULL;
                INSERT INTO "ListingEvents" ("ListingId", "AssetId", "BlocklistId", "Value", "Kind", "Codes", "RunId", "At", "ProcessedAt", "Backfilled")
                    SELECT "Id", "AssetId", "BlocklistId", "Value", 'Listed', "Codes", NULL, "FirstSeen", NULL, TRUE
                    FROM "Listings" WHERE "Active" ORDER BY "Id";
                INSERT INTO "EpisodeEvents" ("EpisodeId", "Change", "Provider", "SourceIp", "Kind", "Blocklist", "At", "ProcessedAt", "Backfilled")
                    SELECT "Id", 'Opened', "Provider", "SourceIp", "Kind", "Blocklist", "StartedAt", NULL, TRUE
                    FROM "BlockEpisodes" WHERE "OpenMarker" = 1 ORDER BY "Id";
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "IncidentSamples");

            migrationBuilder.DropTable(
                name: "IncidentTimeline");

            migrationBuilder.DropTable(
                name: "IncidentValues");

            migrationBuilder.DropTable(
                name: "Incidents");

            migrationBuilder.DropIndex(
                name: "IX_SweepRuns_State_IncidentsAppliedAt",
                table: "SweepRuns");

            migrationBuilder.DropColumn(
                name: "IncidentsAppliedAt",
                table: "SweepRuns");

            migrationBuilder.DropColumn(
                name: "Backfilled",
                table: "ListingEvents");

            migrationBuilder.DropColumn(
                name: "Backfilled",
                table: "EpisodeEvents");
        }
    }
}
