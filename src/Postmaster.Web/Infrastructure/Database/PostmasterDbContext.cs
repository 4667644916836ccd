using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Postmaster.Web.Alerts;
using Postmaster.Web.Assets;
using Postmaster.Web.Audit;
using Postmaster.Web.Blocklists;
using Postmaster.Web.Incidents;
using Postmaster.Web.Infrastructure.Auth;
using Postmaster.Web.Organisation;
using Postmaster.Web.Posture;
using Postmaster.Web.Requests;
using Postmaster.Web.Signals;

namespace Postmaster.Web.Infrastructure.Database;

/// <summary>
/// The one database of the app. Each provider has a subclass of its own only so that each keeps
/// its own migrations (SQLite and PostgreSQL differ in types); the model is defined here once.
/// </summary>
public abstract class PostmasterDbContext(DbContextOptions options) : IdentityDbContext<PostmasterUser>(options)
{
    public DbSet<Asset> Assets => Set<Asset>();

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<Blocklist> Blocklists => Set<Blocklist>();

    public DbSet<Listing> Listings => Set<Listing>();

    public DbSet<ListingEvent> ListingEvents => Set<ListingEvent>();

    public DbSet<SweepRun> SweepRuns => Set<SweepRun>();

    public DbSet<SweepChunk> SweepChunks => Set<SweepChunk>();

    public DbSet<AssetListStatus> AssetListStatuses => Set<AssetListStatus>();

    public DbSet<BlocklistUsage> BlocklistUsage => Set<BlocklistUsage>();

    public DbSet<SignalBucket> SignalBuckets => Set<SignalBucket>();

    public DbSet<SignalSample> SignalSamples => Set<SignalSample>();

    public DbSet<ProviderActivity> ProviderActivity => Set<ProviderActivity>();

    public DbSet<IngestReport> IngestReports => Set<IngestReport>();

    public DbSet<BlockEpisode> BlockEpisodes => Set<BlockEpisode>();

    public DbSet<EpisodeEvent> EpisodeEvents => Set<EpisodeEvent>();

    public DbSet<LogFileCursor> LogFileCursors => Set<LogFileCursor>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    public DbSet<Incident> Incidents => Set<Incident>();

    public DbSet<IncidentValue> IncidentValues => Set<IncidentValue>();

    public DbSet<IncidentSample> IncidentSamples => Set<IncidentSample>();

    public DbSet<IncidentTimelineEntry> IncidentTimeline => Set<IncidentTimelineEntry>();

    public DbSet<OrganisationProfile> OrganisationProfile => Set<OrganisationProfile>();

    public DbSet<ProviderRequest> Requests => Set<ProviderRequest>();

    public DbSet<RequestEvent> RequestEvents => Set<RequestEvent>();
    public DbSet<Alert> Alerts => Set<Alert>();

    public DbSet<AlertDelivery> AlertDeliveries => Set<AlertDelivery>();

    public DbSet<AlertDeliveryItem> AlertDeliveryItems => Set<AlertDeliveryItem>();

    public DbSet<AlertSubscription> AlertSubscriptions => Set<AlertSubscription>();

    public DbSet<AlertKindSetting> AlertKindSettings => Set<AlertKindSetting>();

    public DbSet<QuietIpAlertMark> QuietIpAlertMarks => Set<QuietIpAlertMark>();

    public DbSet<AssetPosture> AssetPostures => Set<AssetPosture>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(PostmasterDbContext).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Enums are stored by name: readable in psql and sqlite3, and safe to reorder.
        configurationBuilder.Properties<Enum>().HaveConversion<string>().HaveMaxLength(32);
    }
}

public sealed class SqliteDbContext(DbContextOptions<SqliteDbContext> options) : PostmasterDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);

        // SQLite has no date type: as binary ticks, times still sort and compare in SQL.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<Microsoft.EntityFrameworkCore.Storage.ValueConversion.DateTimeOffsetToBinaryConverter>();
    }
}

public sealed class PostgresDbContext(DbContextOptions<PostgresDbContext> options) : PostmasterDbContext(options);
