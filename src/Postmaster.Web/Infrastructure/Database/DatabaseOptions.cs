namespace Postmaster.Web.Infrastructure.Database;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>Binds <c>Postmaster:Database</c>.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Postmaster:Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;
}
