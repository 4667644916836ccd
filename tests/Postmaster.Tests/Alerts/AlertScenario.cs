using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Postmaster.Core.Incidents;
using Postmaster.Tests.Blocklists;
using Postmaster.Tests.Incidents;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Alerts;
using Postmaster.Web.Infrastructure.Auth;

namespace Postmaster.Tests.Alerts;

/// <summary>
/// One app on its own SQLite folder, sweeping real rbldnsd zones through a <see cref="DnsRelay"/>,
/// with alert mail going to a real SMTP server and webhooks to a local listener. It can be stopped
/// and started again on the same database (a restart between a change and its delivery).
/// </summary>
public sealed class AlertScenario : IAsyncDisposable
{
    public const string Recipient = "ops@alerts.test";
    public const string PublicUrl = "https://postmaster.example.test";

    private readonly DnsRelay _relay = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("postmaster-alerts-").FullName;
    private Dictionary<string, string?> _settings;

    private AlertScenario(Dictionary<string, string?> settings)
    {
        _settings = settings;
        App = Start();
        Api = App.Api();
    }

    public PostmasterApp App { get; private set; }

    public HttpClient Api { get; private set; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The settings a scenario starts from: mail to <paramref name="smtpPort"/> (no TLS, loopback), retries after a second.</summary>
    public static Dictionary<string, string?> Settings(int? smtpPort, double stackingMinutes, params string[] webhookUrls)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Postmaster:PublicUrl"] = PublicUrl,
            ["Postmaster:Alerts:Recipients:0"] = Recipient,
            ["Postmaster:Alerts:StackingMinutes"] = stackingMinutes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Postmaster:Alerts:RetrySeconds"] = "1",
            ["Postmaster:Alerts:CatchUpSeconds"] = "2",
            ["Postmaster:Alerts:AllowPrivateWebhookTargets"] = "true",
        };
        if (smtpPort is { } port)
        {
            settings["Postmaster:Smtp:Host"] = "127.0.0.1";
            settings["Postmaster:Smtp:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings["Postmaster:Smtp:Security"] = "None";
            settings["Postmaster:Smtp:From"] = "postmaster@alerts.test";
            settings["Postmaster:Smtp:TimeoutSeconds"] = "5";
        }

        for (var i = 0; i < webhookUrls.Length; i++)
        {
            settings[$"Postmaster:Alerts:Webhooks:{i}:Url"] = webhookUrls[i];
            settings[$"Postmaster:Alerts:Webhooks:{i}:Secret"] = WebhookSecret;
        }

        return settings;
    }

    public const string WebhookSecret = "a shared secret for the test receiver";

    public static async Task<AlertScenario> StartAsync(Dictionary<string, string?> settings, string[]? assets = null, string[]? lists = null)
    {
        Requirement.Require(RbldnsdServer.UnavailableReason);
        var scenario = new AlertScenario(settings);
        await SweepScenario.EnableOnlyAsync(scenario.App, lists ?? SweepScenario.Lists);
        await SweepScenario.AddAssetsAsync(scenario.Api, assets ?? SweepScenario.Assets);
        return scenario;
    }

    private PostmasterApp Start()
    {
        var settings = SweepScenario.Settings(_relay.EndPoint);
        foreach (var (key, value) in _settings)
        {
            settings[key] = value;
        }

        var app = PostmasterApp.Sqlite(_dir, settings: settings);
        _ = app.Services;
        return app;
    }

    /// <summary>Stops the app and starts it again on the same database with some settings changed.</summary>
    public async Task RestartAsync(Dictionary<string, string?> changes)
    {
        Api.Dispose();
        await App.DisposeAsync();
        _settings = new Dictionary<string, string?>(_settings);
        foreach (var (key, value) in changes)
        {
            _settings[key] = value;
        }

        App = Start();
        Api = App.Api();
    }

    public async Task<JsonElement> SweepAsync(RbldnsdZone[] zones)
    {
        await using var dns = await RbldnsdServer.StartAsync(zones, Ct);
        _relay.Upstream = dns.EndPoint;
        try
        {
            return await SweepScenario.SweepAsync(Api);
        }
        finally
        {
            _relay.Upstream = null;
        }
    }

    /// <summary>The deliveries <c>GET /api/alerts</c> lists, newest first.</summary>
    public Task<List<JsonElement>> DeliveriesAsync() => ApiPages.AllAsync(Api, "/api/alerts", ct: Ct);

    /// <summary>Waits (bounded) until every delivery is sent or given up.</summary>
    public async Task<List<JsonElement>> SettledDeliveriesAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var deliveries = await DeliveriesAsync();
            if ((deliveries.Count > 0 && deliveries.All(d => d.GetProperty("state").GetString() is "sent" or "failed")) || DateTime.UtcNow > deadline)
            {
                return deliveries;
            }

            await Task.Delay(200, Ct);
        }
    }

    /// <summary>A user of the given role with an alert subscription.</summary>
    public async Task AddSubscriberAsync(string email, string role, bool mail, string[] kinds, string[]? providers = null, IncidentSeverity? minimum = null)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PostmasterUser>>();
        var user = new PostmasterUser { UserName = email, Email = email, CreatedAt = DateTimeOffset.UtcNow };
        Assert.True((await users.CreateAsync(user, "a long enough passphrase")).Succeeded);
        Assert.True((await users.AddToRoleAsync(user, role)).Succeeded);
        await scope.ServiceProvider.GetRequiredService<AlertSettings>().SaveSubscriptionAsync(user.Id, mail, kinds, providers ?? [], minimum, Ct);
    }

    public async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await App.DisposeAsync();
        _relay.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        ServerProcess.DeleteDirectory(_dir);
    }
}
