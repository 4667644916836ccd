using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Postmaster.Web.Infrastructure.Database;

public static class DatabaseSetup
{
    public const string ConnectionStringName = "Postmaster";

    /// <summary>SQLite by default (a file under the data folder), PostgreSQL when configured.</summary>
    public static WebApplicationBuilder AddPostmasterDatabase(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        builder.Services.Configure<DatabaseOptions>(builder.Configuration.GetSection(DatabaseOptions.Section));
        var connectionString = ResolveConnectionString(builder.Configuration, builder.Environment, options.Provider);

        if (options.Provider == DatabaseProvider.Postgres)
        {
            builder.Services.AddDbContext<PostmasterDbContext, PostgresDbContext>(o => o.UseNpgsql(connectionString));
        }
        else
        {
            builder.Services.AddDbContext<PostmasterDbContext, SqliteDbContext>(o => o.UseSqlite(connectionString));
        }

        builder.Services.AddSingleton(new WriteGate(options.Provider));
        builder.Services.AddHealthChecks().AddDbContextCheck<PostmasterDbContext>("database");
        return builder;
    }

    public static string ResolveConnectionString(IConfiguration configuration, IHostEnvironment environment, DatabaseProvider provider)
    {
        var configured = configuration.GetConnectionString(ConnectionStringName);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        if (provider == DatabaseProvider.Postgres)
        {
            throw new InvalidOperationException(
                "Postmaster:Database:Provider is Postgres but ConnectionStrings:Postmaster is not set. " +
                "Set it (env var ConnectionStrings__Postmaster), e.g. \"Host=db;Database=postmaster;Username=postmaster;Password=...\".");
        }

        var dataDirectory = configuration["Postmaster:DataDirectory"] is { Length: > 0 } dir
            ? dir
            : Path.Combine(environment.ContentRootPath, "data");
        Directory.CreateDirectory(dataDirectory);
        return new SqliteConnectionStringBuilder { DataSource = Path.Combine(dataDirectory, "postmaster.db") }.ToString();
    }

    /// <summary>
    /// Applies pending migrations. Safe on every start and from several instances at once:
    /// EF Core takes a database-wide migration lock, and applied migrations are skipped.
    /// </summary>
    public static async Task MigrateDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PostmasterDbContext>();
        await db.Database.MigrateAsync(cancellationToken);
        if (db.Database.IsSqlite())
        {
            // WAL lets the web pages read while a sweep writes.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }
}
