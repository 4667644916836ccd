using System.Reflection;
using Postmaster.Tests.Infrastructure;

namespace Postmaster.Tests.Security;

/// <summary>
/// `ASPNETCORE_ENVIRONMENT=Production dotnet run --project src/Postmaster.Web` runs as Production: the
/// launch profile must not put its own environment over the one the person chose.
/// </summary>
public sealed class LaunchProfileTests
{
    [Fact]
    public async Task Dotnet_run_with_the_launch_profile_keeps_the_environment_it_is_given()
    {
        var ct = TestContext.Current.CancellationToken;
        var dir = Directory.CreateTempSubdirectory("postmaster-launch-").FullName;
        var configuration = typeof(LaunchProfileTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var server = ServerProcess.Start(
            "dotnet",
            ["run", "--no-build", "-c", configuration, "--project", Path.Combine(RepoPaths.Root, "src", "Postmaster.Web"), "--", "--urls", "http://127.0.0.1:0"],
            new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["Postmaster__DataDirectory"] = dir,
                ["Postmaster__Blocklists__ScheduledSweeps"] = "false",
            });
        try
        {
            // The host logs its environment once it listens; a slow machine may take a while to get there.
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromMinutes(3));
            while (!server.Output.Contains("Hosting environment:", StringComparison.Ordinal) && !server.HasExited)
            {
                await Task.Delay(200, timeout.Token);
            }

            Assert.Contains("Hosting environment: Production", server.Output, StringComparison.Ordinal);
        }
        finally
        {
            await server.StopAsync(entireProcessTree: true);
            ServerProcess.DeleteDirectory(dir);
        }
    }
}
