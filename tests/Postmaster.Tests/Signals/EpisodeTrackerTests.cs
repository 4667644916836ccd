using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Postmaster.Core.Signals;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Signals;

namespace Postmaster.Tests.Signals;

public sealed class EpisodeTrackerTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 10, 30, 0, TimeSpan.Zero);
    private readonly string _file = Path.Combine(Directory.CreateTempSubdirectory("postmaster-episodes-").FullName, "db.sqlite");

    private string ConnectionString => $"Data Source={_file}";

    public async ValueTask InitializeAsync()
    {
        await using var db = Context();
        await db.Database.MigrateAsync(TestContext.Current.CancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Path.GetDirectoryName(_file)!, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Losing_the_race_to_open_an_episode_keeps_the_rest_of_the_batch_and_joins_the_winners_episode()
    {
        var ct = TestContext.Current.CancellationToken;
        await using (var seed = Context())
        {
            seed.BlockEpisodes.Add(Episode("microsoft", "203.0.113.9", rejections: 5));
            seed.SignalBuckets.Add(new SignalBucket
            {
                Hour = new DateTimeOffset(2026, 12, 6, 10, 0, 0, TimeSpan.Zero),
                Provider = "google",
                Kind = "ip-reputation",
                Status = DeliveryStatus.Bounced,
                SourceIp = "203.0.113.10",
                Count = 3,
            });
            await seed.SaveChangesAsync(ct);
        }

        var batch = new SignalBatch(20);
        batch.Rejections[("microsoft", "203.0.113.9", "ip-reputation")] = new RejectionTally { Count = 2, Last = Now };
        batch.Rejections[("google", "203.0.113.10", "ip-reputation")] = new RejectionTally { Count = 3, Last = Now };

        // Another instance's ingest opens the Google episode just before this batch saves.
        var race = new OpenFirst(ConnectionString, Episode("google", "203.0.113.10", rejections: 4));
        await using (var db = Context(race))
        {
            var tracker = new EpisodeTracker(db, Options.Create(new SignalOptions()), TimeProvider.System, NullLogger<EpisodeTracker>.Instance);
            await tracker.UpdateAsync(batch, ct);
        }

        await using var check = Context();
        var open = await check.BlockEpisodes.Where(e => e.OpenMarker == 1).OrderBy(e => e.Provider).ToListAsync(ct);
        Assert.True(race.Fired);
        Assert.Equal(
            [("google", 7L), ("microsoft", 7L)],
            open.Select(e => (e.Provider, e.Rejections)).ToList());
        Assert.Empty(await check.EpisodeEvents.ToListAsync(ct)); // the loser's "opened" never happened
    }

    [Fact]
    public async Task Opening_and_ending_an_episode_each_write_an_event_with_it_for_incidents_to_take_up()
    {
        var ct = TestContext.Current.CancellationToken;
        await using (var seed = Context())
        {
            seed.SignalBuckets.Add(new SignalBucket
            {
                Hour = new DateTimeOffset(2026, 12, 6, 10, 0, 0, TimeSpan.Zero),
                Provider = "proofpoint",
                Kind = "blocklist",
                Status = DeliveryStatus.Bounced,
                SourceIp = "203.0.113.9",
                Count = 3,
            });
            await seed.SaveChangesAsync(ct);
        }

        var batch = new SignalBatch(20);
        batch.Rejections[("proofpoint", "203.0.113.9", "blocklist")] = new RejectionTally { Count = 3, Last = Now, Blocklist = "zen.spamhaus.org" };
        var time = new FakeTimeProvider(Now);
        await using (var db = Context())
        {
            var tracker = new EpisodeTracker(db, Options.Create(new SignalOptions()), time, NullLogger<EpisodeTracker>.Instance);
            await tracker.UpdateAsync(batch, ct);
            time.Advance(TimeSpan.FromDays(1));
            await tracker.EndQuietEpisodesAsync(ct);
        }

        await using var check = Context();
        var episode = await check.BlockEpisodes.SingleAsync(ct);
        var events = await check.EpisodeEvents.OrderBy(e => e.Id).ToListAsync(ct);
        Assert.Equal(
            [(EpisodeChange.Opened, Now), (EpisodeChange.Ended, Now.AddDays(1))],
            events.Select(e => (e.Change, e.At)).ToList());
        Assert.All(events, e => Assert.Equal((episode.Id, "proofpoint", "203.0.113.9", "zen.spamhaus.org", (DateTimeOffset?)null), (e.EpisodeId, e.Provider, e.SourceIp, e.Blocklist, e.ProcessedAt)));
    }

    private static BlockEpisode Episode(string provider, string ip, long rejections) => new()
    {
        Provider = provider,
        SourceIp = ip,
        Kind = "ip-reputation",
        State = EpisodeState.Open,
        OpenMarker = 1,
        StartedAt = Now.AddMinutes(-20),
        LastSeenAt = Now.AddMinutes(-10),
        Rejections = rejections,
    };

    private SqliteDbContext Context(params IInterceptor[] interceptors) =>
        new(new DbContextOptionsBuilder<SqliteDbContext>().UseSqlite(ConnectionString).AddInterceptors(interceptors).Options);

    /// <summary>Inserts a rival's open episode, once, right before the tracker's first save.</summary>
    private sealed class OpenFirst(string connectionString, BlockEpisode rival) : SaveChangesInterceptor
    {
        public bool Fired { get; private set; }

        public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(
            DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            if (!Fired)
            {
                Fired = true;
                await using var other = new SqliteDbContext(new DbContextOptionsBuilder<SqliteDbContext>().UseSqlite(connectionString).Options);
                other.BlockEpisodes.Add(rival);
                await other.SaveChangesAsync(cancellationToken);
            }

            return result;
        }
    }
}
