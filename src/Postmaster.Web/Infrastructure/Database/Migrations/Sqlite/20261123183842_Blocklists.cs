using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Postmaster.Web.Infrastructure.Database.Migrations.Sqlite
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
                    AssetId = table.Column<long>(type: "INTEGER", nullable: false),
                    BlocklistId = table.Column<long>(type: "INTEGER", nullable: false),
                    RunId = table.Column<long>(type: "INTEGER", nullable: false),
                    Queried = table.Column<long>(type: "INTEGER", nullable: false),
                    Listed = table.Column<long>(type: "INTEGER", nullable: false),
                    Unknown = table.Column<long>(type: "INTEGER", nullable: false),
                    CheckedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AssetListStatuses", x => new { x.AssetId, x.BlocklistId });
                });

            migrationBuilder.CreateTable(
                name: "BlocklistUsage",
                columns: table => new
                {
                    BlocklistId = table.Column<long>(type: "INTEGER", nullable: false),
                    Day = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Queries = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BlocklistUsage", x => new { x.BlocklistId, x.Day });
                });

            migrationBuilder.CreateTable(
                name: "Blocklists",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Slug = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Zone = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    DefinitionJson = table.Column<string>(type: "TEXT", nullable: false),
                    Enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    Custom = table.Column<bool>(type: "INTEGER", nullable: false),
                    UserEdited = table.Column<bool>(type: "INTEGER", nullable: false),
                    CatalogVersion = table.Column<int>(type: "INTEGER", nullable: false),
                    AccessKey = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    MaxQueriesPerSecond = table.Column<int>(type: "INTEGER", nullable: true),
                    Health = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    HealthDetail = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    HealthCheckedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Blocklists", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ListingEvents",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ListingId = table.Column<long>(type: "INTEGER", nullable: false),
                    AssetId = table.Column<long>(type: "INTEGER", nullable: false),
                    BlocklistId = table.Column<long>(type: "INTEGER", nullable: false),
                    Value = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Codes = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    RunId = table.Column<long>(type: "INTEGER", nullable: true),
                    At = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ListingEvents", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Listings",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    AssetId = table.Column<long>(type: "INTEGER", nullable: false),
                    BlocklistId = table.Column<long>(type: "INTEGER", nullable: false),
                    Value = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    Active = table.Column<bool>(type: "INTEGER", nullable: false),
                    Codes = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    Categories = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 600, nullable: true),
                    FirstSeen = table.Column<long>(type: "INTEGER", nullable: false),
                    LastSeen = table.Column<long>(type: "INTEGER", nullable: false),
                    LastChecked = table.Column<long>(type: "INTEGER", nullable: false),
                    DelistedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Listings", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "SweepChunks",
                columns: table => new
                {
                    RunId = table.Column<long>(type: "INTEGER", nullable: false),
                    Index = table.Column<int>(type: "INTEGER", nullable: false),
                    Done = table.Column<bool>(type: "INTEGER", nullable: false),
                    Queries = table.Column<long>(type: "INTEGER", nullable: false),
                    Listed = table.Column<long>(type: "INTEGER", nullable: false),
                    Unknown = table.Column<long>(type: "INTEGER", nullable: false),
                    CompletedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SweepChunks", x => new { x.RunId, x.Index });
                });

            migrationBuilder.CreateTable(
                name: "SweepRuns",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    State = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    ActiveMarker = table.Column<int>(type: "INTEGER", nullable: true),
                    Trigger = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    RequestedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    AssetFilterJson = table.Column<string>(type: "TEXT", nullable: false),
                    PlanJson = table.Column<string>(type: "TEXT", nullable: false),
                    ChunksTotal = table.Column<int>(type: "INTEGER", nullable: false),
                    ChunksDone = table.Column<int>(type: "INTEGER", nullable: false),
                    Total = table.Column<long>(type: "INTEGER", nullable: false),
                    Done = table.Column<long>(type: "INTEGER", nullable: false),
                    Listed = table.Column<long>(type: "INTEGER", nullable: false),
                    Unknown = table.Column<long>(type: "INTEGER", nullable: false),
                    Notes = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    Error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    StartedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    FinishedAt = table.Column<long>(type: "INTEGER", nullable: true)
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
