using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Postmaster.Core.Signals.Probes;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Blocklists;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Signals;
using Postmaster.Web.Signals.Probes;
using Quartz;

namespace Postmaster.Tests.Signals.Probes;

/// <summary>A configured probe against a scripted server on 127.0.0.1, recorded through the app's one ingest path.</summary>
public sealed class ProbeRunnerTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly string _dir = Directory.CreateTempSubdirectory("postmaster-probes-").FullName;
    private ScriptedSmtpServer _server = null!;
    private PostmasterApp _app = null!;

    private static SmtpScript Script => new() { Rcpt = SmtpProbeTests.OutlookS3150 };

    public ValueTask InitializeAsync()
    {
        _server = ScriptedSmtpServer.Start(Script);
        _app = PostmasterApp.Sqlite(_dir, settings: new Dictionary<string, string?>
        {
            ["Postmaster:Signals:Probes:0:Provider"] = "microsoft",
            ["Postmaster:Signals:Probes:0:Mx"] = $"127.0.0.1:{_server.Port}",
            ["Postmaster:Signals:Probes:0:Recipient"] = "postmaster@outlook.com",
            ["Postmaster:Signals:Probes:0:MailFrom"] = "probe@example.net",
            ["Postmaster:Signals:Probes:0:HeloName"] = "probe.example.net",
            ["Postmaster:Signals:Probes:0:SourceIps:0"] = "127.0.0.1",
            ["Postmaster:Signals:Probes:0:TimeoutSeconds"] = "10",
        });
        _ = _app.Services;
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _server.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task A_refused_probe_is_a_bounced_microsoft_ip_reputation_signal_from_the_source_IP()
    {
        var run = await RunAsync(0);

        var (sourceIp, result) = Assert.Single(run.Results);
        Assert.Equal(("127.0.0.1", ProbeVerdict.Rejected, 550), (sourceIp, result.Verdict, result.Code));
        Assert.Equal((1, 0, 0), (run.Counter.Accepted, run.Counter.Ignored, run.Counter.Malformed));
        Assert.DoesNotContain(Assert.Single(_server.Sessions).Commands, c => c.StartsWith("DATA", StringComparison.OrdinalIgnoreCase));

        using var api = _app.Api();
        var summary = (await api.GetFromJsonAsync<JsonElement>("/api/signals/summary?since=2000-01-01T00:00:00Z", Ct)).EnumerateArray()
            .Select(r => $"{r.GetProperty("provider").GetString()}/{r.GetProperty("kind").GetString()}/{r.GetProperty("status").GetString()}/{r.GetProperty("sourceIp").GetString()}/{r.GetProperty("count").GetInt64()}")
            .ToList();
        Assert.Equal(["microsoft/ip-reputation/bounced/127.0.0.1/1"], summary);

        await using var scope = _app.Services.CreateAsyncScope();
        var report = await scope.ServiceProvider.GetRequiredService<PostmasterDbContext>().IngestReports.SingleAsync(Ct);
        Assert.Equal(("probe:microsoft", 1L), (report.Origin, report.Accepted));
    }

    [Fact]
    public async Task Repeated_refusals_open_a_block_episode_like_refusals_read_from_a_log()
    {
        for (var i = 0; i < 3; i++)
        {
            await RunAsync(0);
        }

        using var api = _app.Api();
        var episode = Assert.Single(await ApiPages.AllAsync(api, "/api/signals/episodes?open=true", ct: Ct));
        Assert.Equal(("microsoft", "127.0.0.1", "ip-reputation", "microsoft-s3150"),
            (episode.GetProperty("provider").GetString(), episode.GetProperty("sourceIp").GetString(), episode.GetProperty("kind").GetString(), episode.GetProperty("matchedRule").GetString()));
    }

    [Fact]
    public async Task An_accepted_probe_records_no_delivery_only_that_it_ran()
    {
        await using var accepting = ScriptedSmtpServer.Start(new SmtpScript());
        var probe = Probe(0);
        probe.Mx = $"127.0.0.1:{accepting.Port}";

        var run = await RunAsync(probe);

        Assert.Equal(ProbeVerdict.Accepted, Assert.Single(run.Results).Result.Verdict);
        using var api = _app.Api();
        Assert.Empty((await api.GetFromJsonAsync<JsonElement>("/api/signals/summary?since=2000-01-01T00:00:00Z", Ct)).EnumerateArray());
        Assert.Empty(await ApiPages.AllAsync(api, "/api/signals/quiet", ct: Ct));
        await using var scope = _app.Services.CreateAsyncScope();
        var report = await scope.ServiceProvider.GetRequiredService<PostmasterDbContext>().IngestReports.SingleAsync(Ct);
        Assert.Equal(("probe:microsoft", 0L, 1L), (report.Origin, report.Accepted, report.Ignored));
    }

    [Fact]
    public async Task An_unreachable_MX_is_a_deferral_without_a_code()
    {
        var probe = Probe(0);
        probe.Mx = $"127.0.0.1:{ClosedPort()}";

        var run = await RunAsync(probe);

        Assert.Equal((ProbeStep.Connect, ProbeVerdict.Failed), (Assert.Single(run.Results).Result.Step, run.Results[0].Result.Verdict));
        using var api = _app.Api();
        var row = Assert.Single((await api.GetFromJsonAsync<JsonElement>("/api/signals/summary?since=2000-01-01T00:00:00Z", Ct)).EnumerateArray());
        Assert.Equal(("microsoft", "deferred", "127.0.0.1"), (row.GetProperty("provider").GetString(), row.GetProperty("status").GetString(), row.GetProperty("sourceIp").GetString()));
    }

    [Fact]
    public async Task Connections_from_several_source_IPs_wait_the_pause_between_them()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var probe = Probe(0);
        probe.SourceIps = ["127.0.0.1", "127.0.0.1"]; // configuration refuses duplicates; the runner alone does not care
        probe.PauseSeconds = 30;
        await using var scope = _app.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var runner = new ProbeRunner(
            services.GetRequiredService<SignalIngestor>(), Options.Create(new ProbeOptions()), services.GetRequiredService<IOptions<DnsOptions>>(), time, services.GetRequiredService<ILogger<ProbeRunner>>());

        var running = runner.RunAsync(probe, Ct);

        for (var i = 0; i < 500 && _server.Sessions.IsEmpty; i++)
        {
            await Task.Delay(20, Ct);
        }

        await Assert.Single(_server.Sessions).Ended.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await Task.Delay(300, Ct);
        Assert.Single(_server.Sessions); // no second connection without the pause
        var waited = TimeSpan.Zero;
        for (var i = 0; i < 200 && _server.Sessions.Count < 2; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            waited += TimeSpan.FromSeconds(1);
            await Task.Delay(20, Ct);
        }

        var run = await running.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(2, run.Results.Count);
        Assert.InRange(waited, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(40));
    }

    [Fact]
    public async Task The_scheduled_job_runs_its_probe()
    {
        var scheduler = await _app.Services.GetRequiredService<ISchedulerFactory>().GetScheduler(Ct);
        var job = new JobKey("probe-0-microsoft", ProbeJob.Group);
        if (await scheduler.GetJobDetail(job, Ct) is null)
        {
            Assert.Skip("AddProbeSchedule is not called from AddSignalSchedule yet.");
        }

        await scheduler.TriggerJob(job, Ct);

        await using var scope = _app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PostmasterDbContext>();
        for (var i = 0; i < 300 && !await db.IngestReports.AnyAsync(r => r.Origin == "probe:microsoft", Ct); i++)
        {
            await Task.Delay(100, Ct);
        }

        Assert.Equal(1, (await db.IngestReports.SingleAsync(r => r.Origin == "probe:microsoft", Ct)).Accepted);
    }

    [Fact]
    public async Task An_index_that_is_no_longer_configured_runs_nothing()
    {
        await using var scope = _app.Services.CreateAsyncScope();

        Assert.Null(await Runner(scope).RunAsync(5, Ct));
    }

    private ProbeDefinition Probe(int index) =>
        ProbeOptions.From(_app.Services.GetRequiredService<IConfiguration>()).Probes[index];

    private async Task<ProbeRun> RunAsync(int index)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return (await Runner(scope).RunAsync(index, Ct))!;
    }

    private async Task<ProbeRun> RunAsync(ProbeDefinition probe)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await Runner(scope).RunAsync(probe, Ct);
    }

    /// <summary>The app's runner once ProbeSetup is registered; until then one built from the app's services.</summary>
    private static ProbeRunner Runner(AsyncServiceScope scope)
    {
        var services = scope.ServiceProvider;
        return services.GetService<ProbeRunner>() ?? new ProbeRunner(
            services.GetRequiredService<SignalIngestor>(),
            Options.Create(ProbeOptions.From(services.GetRequiredService<IConfiguration>())),
            services.GetRequiredService<IOptions<DnsOptions>>(),
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<ILogger<ProbeRunner>>());
    }

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
