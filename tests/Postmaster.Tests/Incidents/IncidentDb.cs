using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Incidents;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Tests.Incidents;

/// <summary>Reads incidents straight from the app's database, after letting the engine catch up.</summary>
public static class IncidentDb
{
    /// <summary>Applies whatever is pending (the engine also runs after each chunk; this makes the moment certain).</summary>
    public static async Task CatchUpAsync(PostmasterApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IncidentEngine>().CatchUpAsync(TestContext.Current.CancellationToken);
    }

    public static async Task<List<Incident>> IncidentsAsync(PostmasterApp app)
    {
        await CatchUpAsync(app);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PostmasterDbContext>();
        return await db.Incidents.AsNoTracking().OrderBy(i => i.Id).ToListAsync(TestContext.Current.CancellationToken);
    }

    public static async Task<List<T>> QueryAsync<T>(PostmasterApp app, Func<PostmasterDbContext, IQueryable<T>> query)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PostmasterDbContext>();
        return await query(db).ToListAsync(TestContext.Current.CancellationToken);
    }
}
