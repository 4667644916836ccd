using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Postmaster.Web.Infrastructure.Database.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class IncidentListIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Incidents_Assignee_LastActivityAt_Id",
                table: "Incidents",
                columns: new[] { "Assignee", "LastActivityAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Incidents_Provider_LastActivityAt_Id",
                table: "Incidents",
                columns: new[] { "Provider", "LastActivityAt", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Incidents_Assignee_LastActivityAt_Id",
                table: "Incidents");

            migrationBuilder.DropIndex(
                name: "IX_Incidents_Provider_LastActivityAt_Id",
                table: "Incidents");
        }
    }
}
