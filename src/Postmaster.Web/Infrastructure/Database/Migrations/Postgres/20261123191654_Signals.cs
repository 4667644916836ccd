using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Postmaster.Web.Infrastructure.Database.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Signals : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "BlockEpisodes",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Provider = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    SourceIp = table.Column<string>(type: "character varying(45)", maxLength: 45, nullable: false),
                    Kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    State = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    OpenMarker = table.Column<int>(type: "integer", nullable: true),
                    StartedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    LastSeenAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    EndedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Rejections = table.Column<long>(type: "bigint", nullable: false),
                    Blocklist = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    MatchedRule = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    SampleResponse = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BlockEpisodes", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "IngestReports",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Origin = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    Accepted = table.Column<long>(type: "bigint", nullable: false),
                    Ignored = table.Column<long>(type: "bigint", nullable: false),
                    Malformed = table.Column<long>(type: "bigint", nullable: false),
                    SamplesJson = table.Column<string>(type: "character varying(8000)", maxLength: 8000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_IngestReports", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "LogFileCursors",
                columns: table => new
                {
                    Path = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    Offset = table.Column<long>(type: "bigint", nullable: false),
                    Fingerprint = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LogFileCursors", x => x.Path);
                });

            migrationBuilder.CreateTable(
                name: "ProviderActivity",
                columns: table => new
                {
                    Provider = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    SourceIp = table.Column<string>(type: "character varying(45)", maxLength: 45, nullable: false),
                    LastDelivered = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LastRejected = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Delivered = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProviderActivity", x => new { x.Provider, x.SourceIp });
                });

            migrationBuilder.CreateTable(
                name: "SignalBuckets",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Hour = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Provider = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    SourceIp = table.Column<string>(type: "character varying(45)", maxLength: 45, nullable: false),
                    Count = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SignalBuckets", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "SignalSamples",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Provider = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    SourceIp = table.Column<string>(type: "character varying(45)", maxLength: 45, nullable: true),
                    RecipientDomain = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    Mx = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    SmtpCode = table.Column<int>(type: "integer", nullable: true),
                    EnhancedCode = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    Response = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    Blocklist = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    MatchedRule = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    Origin = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SignalSamples", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_BlockEpisodes_Provider_SourceIp_Kind_OpenMarker",
                table: "BlockEpisodes",
                columns: new[] { "Provider", "SourceIp", "Kind", "OpenMarker" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_BlockEpisodes_State",
                table: "BlockEpisodes",
                column: "State");

            migrationBuilder.CreateIndex(
                name: "IX_SignalBuckets_Hour_Provider_Kind_Status_SourceIp",
                table: "SignalBuckets",
                columns: new[] { "Hour", "Provider", "Kind", "Status", "SourceIp" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_SignalSamples_Provider_Kind_Id",
                table: "SignalSamples",
                columns: new[] { "Provider", "Kind", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "BlockEpisodes");

            migrationBuilder.DropTable(
                name: "IngestReports");

            migrationBuilder.DropTable(
                name: "LogFileCursors");

            migrationBuilder.DropTable(
                name: "ProviderActivity");

            migrationBuilder.DropTable(
                name: "SignalBuckets");

            migrationBuilder.DropTable(
                name: "SignalSamples");
        }
    }
}
