using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Postmaster.Web.Infrastructure.Database.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class KeyOwnersFromCreatedBy : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Keys from before owners: the user whose email created them owns them. The rest (the
            // bootstrap key, creators since removed) go to the bootstrap admin at start-up (FirstRun).
            // A migration of its own: on SQLite the previous one rebuilds ApiKeys, and EF runs SQL
            // only reliably once that rebuild is done.
            migrationBuilder.Sql(
                """
                UPDATE "ApiKeys" SET "OwnerId" =
                    (SELECT u."Id" FROM "AspNetUsers" u WHERE u."NormalizedEmail" = UPPER("ApiKeys"."CreatedBy"))
                WHERE "OwnerId" IS NULL;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Nothing to undo: the previous migration's Down drops the column.
        }
    }
}
