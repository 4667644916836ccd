using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Postmaster.Core.Blocklists;
using Postmaster.Web.Blocklists;
using Postmaster.Web.Incidents;
using Postmaster.Web.Infrastructure.Auth;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Bench.Incidents;

/// <summary>
/// IncidentSeeder &lt;connection string&gt; &lt;templates folder&gt; &lt;incidents&gt; &lt;timeline lines&gt; &lt;seed&gt; &lt;admin email&gt; &lt;admin password&gt;
/// Applies the app's migrations to an empty PostgreSQL database and fills it through the app's
/// model: the blocklist catalog (the app's own seeding), the team (Identity), a few thousand
/// assets (EF), then incidents, affected values, samples and timeline (binary COPY).
/// </summary>
internal static class SeederProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args is not [var connection, var templates, var incidentsText, var timelineText, var seedText, var adminEmail, var adminPassword])
        {
            await Console.Error.WriteLineAsync("usage: IncidentSeeder <connection string> <templates folder> <incidents> <timeline lines> <seed> <admin email> <admin password>");
            return 2;
        }

        var incidents = int.Parse(incidentsText, CultureInfo.InvariantCulture);
        var timeline = long.Parse(timelineText, CultureInfo.InvariantCulture);
        var seed = int.Parse(seedText, CultureInfo.InvariantCulture);
        var ct = CancellationToken.None;
        var clock = Stopwatch.StartNew();
        var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());

        var services = new ServiceCollection()
            .AddLogging(l => l.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning))
            .AddSingleton(TimeProvider.System)
            .AddSingleton(_ => BlocklistCatalog.Load(Path.Combine(templates, "blocklists", "catalog.json")))
            .AddDbContext<PostmasterDbContext, PostgresDbContext>(o => o.UseNpgsql(connection));
        services.AddIdentityCore<PostmasterUser>(o =>
            {
                o.Password.RequiredLength = AuthSetup.MinimumPasswordLength;
                o.Password.RequireDigit = o.Password.RequireLowercase = o.Password.RequireUppercase = o.Password.RequireNonAlphanumeric = false;
                o.User.RequireUniqueEmail = true;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<PostmasterDbContext>();
        await using var provider = services.BuildServiceProvider();

        await provider.MigrateDatabaseAsync(ct);
        await provider.SeedBlocklistCatalogAsync(ct);
        await using var scope = provider.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PostmasterDbContext>();
        if (await db.Incidents.AnyAsync(ct) || await db.Users.AnyAsync(ct))
        {
            throw new InvalidOperationException("The database already has users or incidents: the seeder fills a fresh, throw-away database only.");
        }

        var team = await CreateTeamAsync(scope.ServiceProvider, adminEmail, adminPassword, now);
        var assets = BenchInventory.Assets(now);
        db.Assets.AddRange(assets);
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
        Report(clock, $"migrations, catalog, {team.Count} users, {assets.Count:N0} assets");

        var providers = await BenchProviders.LoadAsync(db, Path.Combine(templates, "providers"), ct);
        var generator = new IncidentStories(providers, assets, BenchInventory.Responders, now, seed);
        var stories = generator.Generate(incidents);
        generator.ShareTimeline(stories, timeline);
        Report(clock, $"generated {stories.Count:N0} incidents from {providers.Count} providers");

        var pg = (NpgsqlConnection)db.Database.GetDbConnection();
        await pg.OpenAsync(ct);
        var incidentCopy = new BinaryCopy<Incident>(db);
        var valueCopy = new BinaryCopy<IncidentValue>(db);
        var sampleCopy = new BinaryCopy<IncidentSample>(db);
        var timelineCopy = new BinaryCopy<IncidentTimelineEntry>(db);
        long valueId = 0, sampleId = 0;
        var rows = new (string Table, ulong Rows)[]
        {
            (incidentCopy.TableName, incidentCopy.Write(pg, stories.Select(s => s.Incident))),
            (valueCopy.TableName, valueCopy.Write(pg, stories.SelectMany(s => s.Values).Select(v => { v.Id = ++valueId; return v; }))),
            (sampleCopy.TableName, sampleCopy.Write(pg, stories.SelectMany(s => s.Samples).Select(s => { s.Id = ++sampleId; return s; }))),
            (timelineCopy.TableName, timelineCopy.Write(pg, IncidentTimelines.Lines(stories, seed))),
        };
        Report(clock, "copied " + string.Join(", ", rows.Select(r => $"{r.Rows:N0} {r.Table}")));

        foreach (var sql in new[] { incidentCopy.ResetIdentitySql, valueCopy.ResetIdentitySql, sampleCopy.ResetIdentitySql, timelineCopy.ResetIdentitySql })
        {
            await using var command = new NpgsqlCommand(sql, pg);
            await command.ExecuteScalarAsync(ct);
        }

        // A long-lived database has been vacuumed and analysed by autovacuum: plans and index-only
        // scans as they would be there, not as right after a bulk load.
        await using (var vacuum = new NpgsqlCommand("VACUUM ANALYZE", pg) { CommandTimeout = 600 })
        {
            await vacuum.ExecuteNonQueryAsync(ct);
        }

        Report(clock, "vacuum analyze");
        var active = stories.Count(s => s.Incident.ActiveMarker == 1);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"seeded {stories.Count} incidents ({active} active), {valueId} values, {sampleId} samples, {rows[3].Rows} timeline lines, {assets.Count} assets, {team.Count} users in {clock.Elapsed.TotalSeconds:F1} s"));
        return 0;
    }

    /// <summary>The roles, the bench admin (who signs in and owns the API key) and the responders incidents are assigned to.</summary>
    private static async Task<List<string>> CreateTeamAsync(IServiceProvider services, string adminEmail, string adminPassword, DateTimeOffset now)
    {
        var roles = services.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                Check(await roles.CreateAsync(new IdentityRole(role)), $"create role {role}");
            }
        }

        var users = services.GetRequiredService<UserManager<PostmasterUser>>();
        var team = new List<string>();
        foreach (var (email, role) in BenchInventory.Responders.Select(r => (r, Roles.Responder)).Prepend((adminEmail, Roles.Admin)))
        {
            var user = new PostmasterUser { UserName = email, Email = email, EmailConfirmed = true, CreatedAt = now.AddDays(-400) };
            Check(await users.CreateAsync(user, adminPassword), $"create user {email}");
            Check(await users.AddToRoleAsync(user, role), $"make {email} {role}");
            team.Add(email);
        }

        return team;
    }

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Could not {what}: {string.Join(" ", result.Errors.Select(e => e.Description))}");
        }
    }

    private static void Report(Stopwatch clock, string what) =>
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{clock.Elapsed.TotalSeconds,6:F1} s] {what}"));
}
