using Npgsql;

namespace Postmaster.Tests.Infrastructure;

/// <summary>
/// One real PostgreSQL for the whole test run: a throw-away cluster in a temp folder on a free
/// loopback port, or the server named by POSTMASTER_TEST_POSTGRES. Each test class gets a
/// database of its own, which is cheaper than a cluster and isolates state.
/// </summary>
public sealed class PostgresCluster : IAsyncLifetime
{
    private string? _dataDirectory;
    private string? _pgCtl;
    private string? _adminConnectionString;
    private int _databases;

    public string? UnavailableReason { get; private set; }

    public async ValueTask InitializeAsync()
    {
        var given = Environment.GetEnvironmentVariable("POSTMASTER_TEST_POSTGRES");
        if (!string.IsNullOrWhiteSpace(given))
        {
            _adminConnectionString = given;
            return;
        }

        var binDir = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).OrderDescending().FirstOrDefault(Directory.Exists)
            : null;
        var initdb = Requirement.FindExecutable("initdb", binDir is null ? [] : [binDir]);
        _pgCtl = Requirement.FindExecutable("pg_ctl", binDir is null ? [] : [binDir]);
        if (initdb is null || _pgCtl is null)
        {
            UnavailableReason = "PostgreSQL server binaries (initdb, pg_ctl) not found: install the Debian package postgresql-15, or set POSTMASTER_TEST_POSTGRES to a connection string.";
            return;
        }

        try
        {
            await StartClusterAsync(initdb);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException)
        {
            UnavailableReason = $"Could not start a throw-away PostgreSQL: {e.Message}";
        }
    }

    private async Task StartClusterAsync(string initdb)
    {
        // initdb refuses to run as root: then the cluster belongs to the postgres user.
        var asRoot = Environment.UserName == "root";
        _dataDirectory = Directory.CreateTempSubdirectory("postmaster-pg-").FullName;
        if (asRoot)
        {
            await Must("chown", ["-R", "postgres:postgres", _dataDirectory]);
        }

        var port = ProcessRunner.FreeLoopbackPort();
        var data = Path.Combine(_dataDirectory, "data");
        await Must(initdb, ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--locale=C"], asRoot);
        var settings = $"-p {port} -k {_dataDirectory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200";
        await Must(_pgCtl!, ["-D", data, "-o", settings, "-l", Path.Combine(_dataDirectory, "server.log"), "-w", "-t", "60", "start"], asRoot);
        _adminConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false";
    }

    public async Task<string> CreateDatabaseAsync(string purpose)
    {
        Requirement.Require(UnavailableReason);
        var name = $"pm_{purpose.ToLowerInvariant()}_{Interlocked.Increment(ref _databases)}_{Environment.ProcessId}";
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using (var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\"", connection))
        {
            await drop.ExecuteNonQueryAsync();
        }

        await using (var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = name, Pooling = true }.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        if (_dataDirectory is null || _pgCtl is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await ProcessRunner.RunAsync(
            Environment.UserName == "root" ? "runuser" : _pgCtl,
            Environment.UserName == "root"
                ? ["-u", "postgres", "--", _pgCtl, "-D", Path.Combine(_dataDirectory, "data"), "-m", "immediate", "-w", "stop"]
                : ["-D", Path.Combine(_dataDirectory, "data"), "-m", "immediate", "-w", "stop"],
            TimeSpan.FromSeconds(30));
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    private static async Task Must(string file, string[] arguments, bool asPostgresUser = false)
    {
        var (exitCode, output) = asPostgresUser
            ? await ProcessRunner.RunAsync("runuser", ["-u", "postgres", "--", file, .. arguments], TimeSpan.FromSeconds(90))
            : await ProcessRunner.RunAsync(file, arguments, TimeSpan.FromSeconds(90));
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(file)} failed ({exitCode}): {output.Trim()}");
        }
    }
}
