namespace Postmaster.Tests.Infrastructure;

/// <summary>One running app per test class, on the database the class is about.</summary>
public interface IAppFixture
{
    PostmasterApp App { get; }
}

public sealed class SqliteAppFixture : IAppFixture, IAsyncLifetime
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("postmaster-sqlite-").FullName;
    private PostmasterApp? _app;

    public PostmasterApp App => _app ?? throw new InvalidOperationException("Not started.");

    public ValueTask InitializeAsync()
    {
        _app = PostmasterApp.Sqlite(_dataDirectory);
        _ = _app.Services; // start now: migrations and bootstrap run at start-up
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDirectory, recursive: true);
    }
}

public sealed class PostgresAppFixture(PostgresCluster cluster) : IAppFixture, IAsyncLifetime
{
    private PostmasterApp? _app;

    public PostmasterApp App
    {
        get
        {
            Requirement.Require(cluster.UnavailableReason);
            return _app ?? throw new InvalidOperationException("Not started.");
        }
    }

    public async ValueTask InitializeAsync()
    {
        if (cluster.UnavailableReason is not null)
        {
            return; // each test then skips (or fails in CI) with the reason
        }

        _app = PostmasterApp.Postgres(await cluster.CreateDatabaseAsync("api"));
        _ = _app.Services;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
