using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace Postmaster.Tests.Infrastructure;

/// <summary>
/// Microsoft.Data.Sqlite's connection pool is process-wide and starts a pruning timer the first time
/// a pooled connection opens. A timer keeps the execution context it was created in, and an app
/// started by WebApplicationFactory carries itself in that context: the first test app to open a
/// connection would stay in memory for the whole run. Opening one here, with the context not
/// flowing, creates the pool (and its timer) owned by no app.
/// </summary>
internal static class SqlitePoolTimer
{
    [ModuleInitializer]
    internal static void CreateOutsideAnyApp()
    {
        var directory = Directory.CreateTempSubdirectory("postmaster-sqlite-pool-").FullName;
        using (ExecutionContext.SuppressFlow())
        {
            using var connection = new SqliteConnection($"Data Source={Path.Combine(directory, "pool.db")}");
            connection.Open();
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }
}
