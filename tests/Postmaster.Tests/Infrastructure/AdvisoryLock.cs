using Npgsql;

namespace Postmaster.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL advisory lock held on the test's own connection, so that several app instances line
/// up behind it and start their turns at the same moment once it is released.
/// </summary>
public static class AdvisoryLock
{
    public static async Task<NpgsqlConnection> HoldAsync(string database, long key, CancellationToken ct)
    {
        var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(ct);
        await CallAsync(connection, "pg_advisory_lock", key, ct);
        return connection;
    }

    public static Task ReleaseAsync(NpgsqlConnection connection, long key, CancellationToken ct) =>
        CallAsync(connection, "pg_advisory_unlock", key, ct);

    private static async Task CallAsync(NpgsqlConnection connection, string function, long key, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"SELECT {function}(@key)", connection);
        command.Parameters.AddWithValue("key", key);
        await command.ExecuteScalarAsync(ct);
    }
}
