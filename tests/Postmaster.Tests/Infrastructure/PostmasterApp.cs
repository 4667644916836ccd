using System.Collections.Concurrent;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Postmaster.Web.Infrastructure.Auth;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Tests.Infrastructure;

/// <summary>The real app, through its real HTTP pipeline, on a database chosen by the test.</summary>
public sealed class PostmasterApp : WebApplicationFactory<Program>
{
    public const string AdminEmail = "admin@postmaster.test";
    public const string AdminPassword = "correct horse battery staple";
    public const string AdminKey = "pm_test_admin_key_0123456789abcdef";

    private readonly Dictionary<string, string?> _settings;
    private readonly bool _kestrel;

    private PostmasterApp(Dictionary<string, string?> settings, bool kestrel)
    {
        _settings = settings;
        _kestrel = kestrel;
        if (kestrel)
        {
            UseKestrel(0);
        }
    }

    public ConcurrentQueue<string> Logs { get; } = new();

    public string Description { get; private init; } = "";

    public static PostmasterApp Sqlite(string dataDirectory, bool bootstrap = true, bool kestrel = false, IReadOnlyDictionary<string, string?>? settings = null) =>
        new(With(Settings("Sqlite", null, bootstrap, dataDirectory), settings), kestrel) { Description = "SQLite" };

    public static PostmasterApp Postgres(string connectionString, bool bootstrap = true, bool kestrel = false, IReadOnlyDictionary<string, string?>? settings = null) =>
        new(With(Settings("Postgres", connectionString, bootstrap, null), settings), kestrel) { Description = "PostgreSQL" };

    private static Dictionary<string, string?> With(Dictionary<string, string?> settings, IReadOnlyDictionary<string, string?>? extra)
    {
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }

    private static Dictionary<string, string?> Settings(string provider, string? connectionString, bool bootstrap, string? dataDirectory)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Postmaster:Database:Provider"] = provider,
            ["ConnectionStrings:Postmaster"] = connectionString,
            ["Postmaster:DataDirectory"] = dataDirectory,
            ["Postmaster:Blocklists:ScheduledSweeps"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Postmaster"] = "Information",
            ["Logging:LogLevel:Postmaster.Web.Infrastructure.Auth.FirstRun"] = "Information",
        };
        if (bootstrap)
        {
            settings["Postmaster:Bootstrap:AdminEmail"] = AdminEmail;
            settings["Postmaster:Bootstrap:AdminPassword"] = AdminPassword;
            settings["Postmaster:Bootstrap:ApiKey"] = AdminKey;
        }

        return settings;
    }

    /// <summary>The base address of the real Kestrel server (browser tests).</summary>
    public Uri ServerAddress
    {
        get
        {
            if (!_kestrel)
            {
                throw new InvalidOperationException("Start the app with kestrel: true to get a real address.");
            }

            StartServer();
            return ClientOptions.BaseAddress;
        }
    }

    /// <summary>
    /// Stops the app, then lets go of its SQLite pool: each pool runs a pruning timer that keeps the
    /// execution context it was created in, which holds the whole app (about 170 MB) for as long
    /// as the pool lives. Clearing the pools releases them; other apps' connections are only closed
    /// and reopened, as every SQLite fixture's clean-up already does.
    /// </summary>
    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Description == "SQLite")
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");

        // UseSetting, not ConfigureAppConfiguration: Program reads these before Build().
        foreach (var (key, value) in _settings)
        {
            if (value is not null)
            {
                builder.UseSetting(key, value);
            }
        }

        builder.ConfigureLogging(logging => logging.AddProvider(new CapturingLoggerProvider(Logs)));
    }

    public HttpClient Api(string? key = AdminKey)
    {
        var options = new WebApplicationFactoryClientOptions { AllowAutoRedirect = false };
        if (_kestrel)
        {
            options.BaseAddress = ServerAddress;
        }

        var client = CreateClient(options);
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    /// <summary>
    /// Adds a key with the given role straight to the database and returns its secret. Keys belong
    /// to a user (the bootstrap admin unless <paramref name="ownerEmail"/> says otherwise) and act
    /// with at most that user's role.
    /// </summary>
    public async Task<string> CreateApiKeyAsync(string role, string ownerEmail = AdminEmail)
    {
        var secret = ApiKeySecret.Generate();
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PostmasterDbContext>();
        var owner = await scope.ServiceProvider.GetRequiredService<UserManager<PostmasterUser>>().FindByEmailAsync(ownerEmail);
        db.ApiKeys.Add(new ApiKey
        {
            Name = $"test-{role}",
            Prefix = ApiKeySecret.PrefixOf(secret),
            Hash = ApiKeySecret.Hash(secret),
            Role = role,
            CreatedAt = DateTimeOffset.UtcNow,
            CreatedBy = ownerEmail,
            OwnerId = owner?.Id,
        });
        await db.SaveChangesAsync();
        return secret;
    }

    private sealed class CapturingLoggerProvider(ConcurrentQueue<string> sink) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new CapturingLogger(sink);

        public void Dispose()
        {
        }
    }

    private sealed class CapturingLogger(ConcurrentQueue<string> sink) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            sink.Enqueue(formatter(state, exception));
    }
}
