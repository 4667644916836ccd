using Microsoft.AspNetCore.Builder;
using Postmaster.Web.Infrastructure.Scheduling;

namespace Postmaster.Tests.Ops;

public class SchedulingSettingsTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("65")]
    public void A_worker_count_out_of_range_stops_start_up_naming_the_key(string workers)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Builder(("Postmaster:Scheduler:Workers", workers)).AddPostmasterScheduling());

        Assert.Contains("Postmaster:Scheduler:Workers", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_clustered_scheduler_on_sqlite_stops_start_up_naming_the_key()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Builder(("Postmaster:Scheduler:Clustered", "true")).AddPostmasterScheduling());

        Assert.Contains("Postmaster:Scheduler:Clustered", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_settings_are_accepted() => Builder().AddPostmasterScheduling();

    private static WebApplicationBuilder Builder(params (string Key, string Value)[] settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        foreach (var (key, value) in settings)
        {
            builder.Configuration[key] = value;
        }

        return builder;
    }
}
