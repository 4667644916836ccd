using Postmaster.Tests.Infrastructure;

namespace Postmaster.Tests.Auth;

/// <summary>
/// The app on Kestrel (so requests come from a real client address), with sessions checked on every
/// request instead of every minute, and a sign-in limit high enough for a class of tests.
/// </summary>
public class AuthAppFixture : IAsyncLifetime
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("postmaster-auth-").FullName;
    private PostmasterApp? _app;

    public PostmasterApp App => _app ?? throw new InvalidOperationException("Not started.");

    protected virtual int SignInAttemptsPerMinute => 1000;

    public ValueTask InitializeAsync()
    {
        _app = PostmasterApp.Sqlite(_dataDirectory, kestrel: true, settings: new Dictionary<string, string?>
        {
            ["Postmaster:Auth:SessionCheckSeconds"] = "0",
            ["Postmaster:Auth:SignInAttemptsPerMinute"] = SignInAttemptsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        _ = _app.ServerAddress;
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
        GC.SuppressFinalize(this);
    }
}

/// <summary>The shipped sign-in limit: ten attempts a minute per address.</summary>
public sealed class DefaultLimitsAppFixture : AuthAppFixture
{
    protected override int SignInAttemptsPerMinute => 10;
}
