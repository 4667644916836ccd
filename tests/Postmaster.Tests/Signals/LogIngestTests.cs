using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Postmaster.Core.Signals.Logs;
using Postmaster.Tests.Infrastructure;
using Postmaster.Tests.Signals.Logs;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Signals;

namespace Postmaster.Tests.Signals;

/// <summary>Logs reach Postmaster by upload and by following files on disk.</summary>
public sealed class LogIngestTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly string _dir = Directory.CreateTempSubdirectory("postmaster-logs-").FullName;
    private PostmasterApp _app = null!;

    private string LogPath => Path.Combine(_dir, "maillog");

    public ValueTask InitializeAsync()
    {
        // The file is followed by calling the follower, not by its Quartz job, so the test decides when.
        _app = PostmasterApp.Sqlite(_dir);
        _ = _app.Services;
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task An_uploaded_postfix_log_is_classified_and_its_garbage_reported()
    {
        using var api = _app.Api();
        var log = string.Join('\n',
            PostfixLogParserTests.GmailSent,
            PostfixLogParserTests.GmailRateLimited,
            "Nov 23 10:00:02 mx1 postfix/qmgr[99]: 4A1B2C3D4E: removed",
            "Nov 23 10:00:03 mx1 postfix/smtp[4718]: BADBADBAD: to=<broken",
            PostfixLogParserTests.OutlookS3150,
            PostfixLogParserTests.TOnlineBlocked) + "\n";

        var response = await api.PostAsync("/api/signals/log?format=postfix", new StringContent(log, Encoding.UTF8, "text/plain"), Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var counts = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(4, counts.GetProperty("accepted").GetInt64());
        Assert.Equal(1, counts.GetProperty("malformed").GetInt64());
        Assert.Equal(4, counts.GetProperty("malformedSamples")[0].GetProperty("line").GetInt64());
        var summary = (await api.GetFromJsonAsync<JsonElement>("/api/signals/summary?since=2020-01-01T00:00:00Z", Ct)).EnumerateArray()
            .Select(r => $"{r.GetProperty("provider").GetString()}/{r.GetProperty("kind").GetString()}/{r.GetProperty("status").GetString()}")
            .Order().ToList();
        Assert.Equal(["google//delivered", "google/rate-limit/deferred", "microsoft/ip-reputation/bounced", "t-online/ip-reputation/bounced"], summary);
    }

    [Fact]
    public async Task An_unknown_log_format_is_a_400_naming_the_formats()
    {
        using var api = _app.Api();

        var response = await api.PostAsync("/api/signals/log?format=sendmail", new StringContent("x", Encoding.UTF8, "text/plain"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("postfix", (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_follower_resumes_waits_for_whole_lines_survives_rotation_and_truncation()
    {
        File.WriteAllText(LogPath, PostfixLogParserTests.GmailSent + "\n" + PostfixLogParserTests.OutlookS3150 + "\n");
        Assert.Equal(2, await FollowAsync());

        File.AppendAllText(LogPath, PostfixLogParserTests.YahooTss04 + "\n" + PostfixLogParserTests.GmailSent[..40]);
        Assert.Equal(1, await FollowAsync()); // the half-written line waits

        // The rest of that line lands, then logrotate moves the file away and starts a new one.
        File.AppendAllText(LogPath, PostfixLogParserTests.GmailSent[40..] + "\n");
        File.Move(LogPath, LogPath + ".1");
        File.WriteAllText(LogPath, PostfixLogParserTests.TOnlineBlocked + "\n");
        Assert.Equal(2, await FollowAsync()); // the old file's last line, and the new file's

        Assert.Equal(0, await FollowAsync()); // nothing new, nothing twice

        File.WriteAllText(LogPath, PostfixLogParserTests.GmailRateLimited + "\n");
        Assert.Equal(1, await FollowAsync()); // truncated and rewritten: read from the start
    }

    private async Task<long> FollowAsync()
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PostmasterDbContext>();
        var before = await db.IngestReports.SumAsync(r => r.Accepted, Ct);
        Assert.True(LogFormats.TryGet("postfix", out var parser));
        await scope.ServiceProvider.GetRequiredService<LogFollower>().FollowAsync(LogPath, "postfix", parser, Ct);
        return await db.IngestReports.SumAsync(r => r.Accepted, Ct) - before;
    }
}
