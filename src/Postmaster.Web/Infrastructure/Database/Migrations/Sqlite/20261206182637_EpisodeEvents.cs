using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Postmaster.Web.Infrastructure.Database.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class EpisodeEvents : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "ProcessedAt",
                table: "ListingEvents",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "EpisodeEvents",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    EpisodeId = table.Column<long>(type: "INTEGER", nullable: false),
                    Change = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Provider = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    SourceIp = table.Column<string>(type: "TEXT", maxLength: 45, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Blocklist = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    ProcessedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_EpisodeEvents", x => x.Id);
                    table.ForeignKey(
                        name: "FK_EpisodeEvents_BlockEpisodes_EpisodeId",
                        column: x => x.EpisodeId,
                        principalTable: "BlockEpisodes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ListingEvents_ProcessedAt_Id",
                table: "ListingEvents",
                columns: new[] { "ProcessedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_EpisodeEvents_EpisodeId",
                table: "EpisodeEvents",
                column: "EpisodeId");

            migrationBuilder.CreateIndex(
                name: "IX_EpisodeEvents_ProcessedAt_Id",
                table: "EpisodeEvents",
                columns: new[] { "ProcessedAt", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "EpisodeEvents");

            migrationBuilder.DropIndex(
                name: "IX_ListingEvents_ProcessedAt_Id",
                table: "ListingEvents");

            migrationBuilder.DropColumn(
                name: "ProcessedAt",
                table: "ListingEvents");
        }
    }
}
