using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Postmaster.Web.Infrastructure.Database.Migrations.Sqlite
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
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Provider = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    SourceIp = table.Column<string>(type: "TEXT", maxLength: 45, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    OpenMarker = table.Column<int>(type: "INTEGER", nullable: true),
                    StartedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    LastSeenAt = table.Column<long>(type: "INTEGER", nullable: false),
                    EndedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Rejections = table.Column<long>(type: "INTEGER", nullable: false),
                    Blocklist = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    MatchedRule = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    SampleResponse = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BlockEpisodes", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "IngestReports",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    Origin = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    Accepted = table.Column<long>(type: "INTEGER", nullable: false),
                    Ignored = table.Column<long>(type: "INTEGER", nullable: false),
                    Malformed = table.Column<long>(type: "INTEGER", nullable: false),
                    SamplesJson = table.Column<string>(type: "TEXT", maxLength: 8000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_IngestReports", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "LogFileCursors",
                columns: table => new
                {
                    Path = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    Offset = table.Column<long>(type: "INTEGER", nullable: false),
                    Fingerprint = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LogFileCursors", x => x.Path);
                });

            migrationBuilder.CreateTable(
                name: "ProviderActivity",
                columns: table => new
                {
                    Provider = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    SourceIp = table.Column<string>(type: "TEXT", maxLength: 45, nullable: false),
                    LastDelivered = table.Column<long>(type: "INTEGER", nullable: true),
                    LastRejected = table.Column<long>(type: "INTEGER", nullable: true),
                    Delivered = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProviderActivity", x => new { x.Provider, x.SourceIp });
                });

            migrationBuilder.CreateTable(
                name: "SignalBuckets",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Hour = table.Column<long>(type: "INTEGER", nullable: false),
                    Provider = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    SourceIp = table.Column<string>(type: "TEXT", maxLength: 45, nullable: false),
                    Count = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SignalBuckets", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "SignalSamples",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    Provider = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    SourceIp = table.Column<string>(type: "TEXT", maxLength: 45, nullable: true),
                    RecipientDomain = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    Mx = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    SmtpCode = table.Column<int>(type: "INTEGER", nullable: true),
                    EnhancedCode = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    Response = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    Blocklist = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    MatchedRule = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    Origin = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false)
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
