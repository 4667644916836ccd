using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Postmaster.Web.Infrastructure.Database.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Blocklists : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AssetListStatuses",
                columns: table => new
                {
                    AssetId = table.Column<long>(type: "bigint", nullable: false),
                    BlocklistId = table.Column<long>(type: "bigint", nullable: false),
                    RunId = table.Column<long>(type: "bigint", nullable: false),
                    Queried = table.Column<long>(type: "bigint", nullable: false),
                    Listed = table.Column<long>(type: "bigint", nullable: false),
                    Unknown = table.Column<long>(type: "bigint", nullable: false),
                    CheckedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AssetListStatuses", x => new { x.AssetId, x.BlocklistId });
                });

            migrationBuilder.CreateTable(
                name: "BlocklistUsage",
                columns: table => new
                {
                    BlocklistId = table.Column<long>(type: "bigint", nullable: false),
                    Day = table.Column<DateOnly>(type: "date", nullable: false),
                    Queries = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BlocklistUsage", x => new { x.BlocklistId, x.Day });
                });

            migrationBuilder.CreateTable(
                name: "Blocklists",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Slug = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Zone = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    DefinitionJson = table.Column<string>(type: "text", nullable: false),
                    Enabled = table.Column<bool>(type: "boolean", nullable: false),
                    Custom = table.Column<bool>(type: "boolean", nullable: false),
                    UserEdited = table.Column<bool>(type: "boolean", nullable: false),
                    CatalogVersion = table.Column<int>(type: "integer", nullable: false),
                    AccessKey = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    MaxQueriesPerSecond = table.Column<int>(type: "integer", nullable: true),
                    Health = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    HealthDetail = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    HealthCheckedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Blocklists", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ListingEvents",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    ListingId = table.Column<long>(type: "bigint", nullable: false),
                    AssetId = table.Column<long>(type: "bigint", nullable: false),
                    BlocklistId = table.Column<long>(type: "bigint", nullable: false),
                    Value = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    Kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Codes = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    RunId = table.Column<long>(type: "bigint", nullable: true),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ListingEvents", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Listings",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    AssetId = table.Column<long>(type: "bigint", nullable: false),
                    BlocklistId = table.Column<long>(type: "bigint", nullable: false),
                    Value = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    Active = table.Column<bool>(type: "boolean", nullable: false),
                    Codes = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    Categories = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    Reason = table.Column<string>(type: "character varying(600)", maxLength: 600, nullable: true),
                    FirstSeen = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    LastSeen = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    LastChecked = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    DelistedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Listings", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "SweepChunks",
                columns: table => new
                {
                    RunId = table.Column<long>(type: "bigint", nullable: false),
                    Index = table.Column<int>(type: "integer", nullable: false),
                    Done = table.Column<bool>(type: "boolean", nullable: false),
                    Queries = table.Column<long>(type: "bigint", nullable: false),
                    Listed = table.Column<long>(type: "bigint", nullable: false),
                    Unknown = table.Column<long>(type: "bigint", nullable: false),
                    CompletedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SweepChunks", x => new { x.RunId, x.Index });
                });

            migrationBuilder.CreateTable(
                name: "SweepRuns",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    State = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    ActiveMarker = table.Column<int>(type: "integer", nullable: true),
                    Trigger = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    RequestedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    AssetFilterJson = table.Column<string>(type: "text", nullable: false),
                    PlanJson = table.Column<string>(type: "text", nullable: false),
                    ChunksTotal = table.Column<int>(type: "integer", nullable: false),
                    ChunksDone = table.Column<int>(type: "integer", nullable: false),
                    Total = table.Column<long>(type: "bigint", nullable: false),
                    Done = table.Column<long>(type: "bigint", nullable: false),
                    Listed = table.Column<long>(type: "bigint", nullable: false),
                    Unknown = table.Column<long>(type: "bigint", nullable: false),
                    Notes = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    Error = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    StartedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    FinishedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SweepRuns", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Blocklists_Slug",
                table: "Blocklists",
                column: "Slug",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Blocklists_Zone",
                table: "Blocklists",
                column: "Zone",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ListingEvents_AssetId_At",
                table: "ListingEvents",
                columns: new[] { "AssetId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_Listings_Active_AssetId",
                table: "Listings",
                columns: new[] { "Active", "AssetId" });

            migrationBuilder.CreateIndex(
                name: "IX_Listings_BlocklistId_Value",
                table: "Listings",
                columns: new[] { "BlocklistId", "Value" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_SweepRuns_ActiveMarker",
                table: "SweepRuns",
                column: "ActiveMarker",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AssetListStatuses");

            migrationBuilder.DropTable(
                name: "BlocklistUsage");

            migrationBuilder.DropTable(
                name: "Blocklists");

            migrationBuilder.DropTable(
                name: "ListingEvents");

            migrationBuilder.DropTable(
                name: "Listings");

            migrationBuilder.DropTable(
                name: "SweepChunks");

            migrationBuilder.DropTable(
                name: "SweepRuns");
        }
    }
}
