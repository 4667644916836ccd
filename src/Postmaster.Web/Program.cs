using Postmaster.Web.Alerts;
using Postmaster.Web.Assets;
using Postmaster.Web.Audit;
using Postmaster.Web.Blocklists;
using Postmaster.Web.Incidents;
using Postmaster.Web.Infrastructure;
using Postmaster.Web.Infrastructure.Auth;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Infrastructure.Mail;
using Postmaster.Web.Infrastructure.Scheduling;
using Postmaster.Web.Infrastructure.Templates;
using Postmaster.Web.Posture;
using Postmaster.Web.Requests;
using Postmaster.Web.Signals;

var builder = WebApplication.CreateBuilder(args);

builder.AddPostmasterDefaults();
builder.AddPostmasterDatabase();
builder.AddPostmasterAuth();
builder.AddAudit();
builder.AddPostmasterScheduling(q =>
{
    q.AddBlocklistSchedule(builder.Configuration);
    q.AddSignalSchedule(builder.Configuration);
    q.AddAuditSchedule();
    q.AddIncidentSchedule(builder.Configuration);
    q.AddRequestSchedule(builder.Configuration);
    q.AddAlertSchedule(builder.Configuration);
    q.AddPostureSchedule(builder.Configuration);
});
builder.Services.AddAssets();
builder.AddProviderKnowledge();
builder.AddBlocklists();
builder.AddSignals();
builder.AddIncidents();
builder.AddPostmasterMail();
builder.AddAlerts();
builder.AddPosture();
builder.AddRequests();

var app = builder.Build();

// Provider knowledge first: a broken pack or template stops the start before the database is touched.
app.Services.ValidateProviderPacks();
app.Services.ValidateRequestTemplates();
await app.Services.MigrateDatabaseAsync();
await app.Services.EnsureSignInPossibleAsync();
await app.Services.InitializeBlocklistsAsync(app.Configuration.GetValue<bool>("Postmaster:Scheduler:Clustered"));

app.UsePostmasterDefaults();
app.MapPostmasterDefaults();
app.MapPostmasterApi()
    .MapAssetApi()
    .MapBlocklistApi()
    .MapSignalApi()
    .MapIncidentApi()
    .MapRequestApi()
    .MapAlertApi()
    .MapPostureApi()
    .MapAuditApi();

await app.RunAsync();

/// <summary>Entry point; public so integration tests can start the app with WebApplicationFactory.</summary>
public partial class Program;
