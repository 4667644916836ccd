using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Postmaster.Web.Infrastructure.Database.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Requests : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "OrganisationProfile",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false),
                    Company = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    Website = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    ImprintUrl = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    ContactName = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    ContactEmail = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    ContactPhone = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    PostmasterAddress = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    AbuseAddress = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    OptIn = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    BounceHandling = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    ComplaintHandling = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    ListHygiene = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    StreamsJson = table.Column<string>(type: "TEXT", maxLength: 20000, nullable: false),
                    FeedbackLoopsJson = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    UpdatedBy = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OrganisationProfile", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Requests",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    IncidentId = table.Column<long>(type: "INTEGER", nullable: false),
                    Provider = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    TemplateId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Channel = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Language = table.Column<string>(type: "TEXT", maxLength: 35, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    To = table.Column<string>(type: "TEXT", maxLength: 320, nullable: true),
                    FormUrl = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    Subject = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    Body = table.Column<string>(type: "TEXT", maxLength: 262144, nullable: false),
                    FieldsJson = table.Column<string>(type: "TEXT", maxLength: 262144, nullable: false),
                    MissingFacts = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Fixed = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    FollowUpDays = table.Column<int>(type: "INTEGER", nullable: false),
                    ExpiresAfterHours = table.Column<int>(type: "INTEGER", nullable: true),
                    Reference = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    FollowUpAt = table.Column<long>(type: "INTEGER", nullable: true),
                    FollowUpAnnouncedFor = table.Column<long>(type: "INTEGER", nullable: true),
                    ReplyText = table.Column<string>(type: "TEXT", maxLength: 50000, nullable: true),
                    ReplyFrom = table.Column<string>(type: "TEXT", maxLength: 320, nullable: true),
                    RepliedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    MessageId = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    InReplyTo = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    ParentRequestId = table.Column<long>(type: "INTEGER", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedBy = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    SubmittedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    DecidedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Requests", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Requests_Incidents_IncidentId",
                        column: x => x.IncidentId,
                        principalTable: "Incidents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "RequestEvents",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RequestId = table.Column<long>(type: "INTEGER", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Actor = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    Detail = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RequestEvents", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RequestEvents_Requests_RequestId",
                        column: x => x.RequestId,
                        principalTable: "Requests",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_RequestEvents_RequestId_Id",
                table: "RequestEvents",
                columns: new[] { "RequestId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Requests_FollowUpAt",
                table: "Requests",
                column: "FollowUpAt");

            migrationBuilder.CreateIndex(
                name: "IX_Requests_IncidentId_Id",
                table: "Requests",
                columns: new[] { "IncidentId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Requests_MessageId",
                table: "Requests",
                column: "MessageId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Requests_Provider_Kind",
                table: "Requests",
                columns: new[] { "Provider", "Kind" });

            migrationBuilder.CreateIndex(
                name: "IX_Requests_Status_Id",
                table: "Requests",
                columns: new[] { "Status", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "OrganisationProfile");

            migrationBuilder.DropTable(
                name: "RequestEvents");

            migrationBuilder.DropTable(
                name: "Requests");
        }
    }
}
