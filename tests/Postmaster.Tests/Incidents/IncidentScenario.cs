using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Postmaster.Tests.Blocklists;
using Postmaster.Tests.Infrastructure;

namespace Postmaster.Tests.Incidents;

/// <summary>The outcome of one sweep as a person sees it: the run, and the incidents after it.</summary>
public sealed record Swept(JsonElement Run, IncidentSnapshot After);

/// <summary>
/// One app for one story: the scenario's lists enabled and assets added, asking real rbldnsd zones
/// through a <see cref="DnsRelay"/> so that each sweep can meet other answers without a restart.
/// Signals go in through the real ingest API.
/// </summary>
public sealed class IncidentScenario : IAsyncDisposable
{
    private readonly DnsRelay _relay;
    private readonly string? _dataDirectory;

    private IncidentScenario(DnsRelay relay, PostmasterApp app, string? dataDirectory)
    {
        (_relay, App, _dataDirectory) = (relay, app, dataDirectory);
        Api = app.Api();
    }

    public PostmasterApp App { get; }

    public HttpClient Api { get; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static Task<IncidentScenario> SqliteAsync(
        Dictionary<string, string?>? settings = null, string[]? assets = null, string[]? lists = null)
    {
        var dir = Directory.CreateTempSubdirectory("postmaster-incidents-").FullName;
        return StartAsync(dns => PostmasterApp.Sqlite(dir, settings: With(dns, settings)), dir, assets, lists);
    }

    /// <summary>On PostgreSQL through Quartz's clustered store, as production runs it.</summary>
    public static Task<IncidentScenario> PostgresAsync(
        string connectionString, Dictionary<string, string?>? settings = null, string[]? assets = null, string[]? lists = null) =>
        StartAsync(
            dns => PostmasterApp.Postgres(connectionString, settings: With(dns, new(settings ?? []) { ["Postmaster:Scheduler:Clustered"] = "true" })),
            null, assets, lists);

    private static async Task<IncidentScenario> StartAsync(Func<IPEndPoint, PostmasterApp> start, string? dir, string[]? assets, string[]? lists)
    {
        var relay = new DnsRelay();
        var scenario = new IncidentScenario(relay, start(relay.EndPoint), dir);
        await SweepScenario.EnableOnlyAsync(scenario.App, lists ?? SweepScenario.Lists);
        await SweepScenario.AddAssetsAsync(scenario.Api, assets ?? SweepScenario.Assets);
        return scenario;
    }

    private static Dictionary<string, string?> With(IPEndPoint dns, Dictionary<string, string?>? extra)
    {
        var settings = SweepScenario.Settings(dns);
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>One sweep of every asset against these zones, and the incidents once the engine has applied it.</summary>
    public async Task<Swept> SweepAsync(RbldnsdZone[] zones)
    {
        await using var dns = await RbldnsdServer.StartAsync(zones, Ct);
        _relay.Upstream = dns.EndPoint;
        JsonElement run;
        try
        {
            run = await SweepScenario.SweepAsync(Api);
        }
        finally
        {
            _relay.Upstream = null;
        }

        return new Swept(run, await SnapshotAsync());
    }

    public Task<IncidentSnapshot> SnapshotAsync() => IncidentSnapshot.TakeAsync(App);

    /// <summary>Delivery outcomes through POST /api/signals, as a JSON array.</summary>
    public async Task IngestAsync(params object[] signals)
    {
        var response = await Api.PostAsJsonAsync("/api/signals", signals, Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync(Ct));
        var accepted = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("accepted").GetInt64();
        Assert.Equal(signals.Length, accepted);
    }

    /// <summary>Delivery outcomes through POST /api/signals as NDJSON, one object a line.</summary>
    public async Task IngestNdjsonAsync(params object[] signals)
    {
        var lines = string.Join('\n', signals.Select(s => JsonSerializer.Serialize(s)));
        using var content = new StringContent(lines, Encoding.UTF8, "application/x-ndjson");
        var response = await Api.PostAsync("/api/signals", content, Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(signals.Length, (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("accepted").GetInt64());
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await App.DisposeAsync();
        _relay.Dispose();
        if (_dataDirectory is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }
}
