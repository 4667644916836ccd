using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using Postmaster.Tests.Blocklists.Udp;
using Postmaster.Tests.Infrastructure;

namespace Postmaster.Tests.Blocklists;

/// <summary>
/// An instance killed in the middle of a sweep chunk (SIGKILL, no shutdown) does not lose the chunk:
/// another instance on the same PostgreSQL takes its running jobs over once it misses its
/// check-ins, and the sweep completes with exactly the zone's listings. Instance A is a real
/// process (the app's own dll), so that it can die the way a crashed container does.
/// </summary>
public sealed class ClusterFailoverTests(PostgresCluster cluster)
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_chunk_of_an_instance_killed_mid_sweep_runs_again_on_another_instance()
    {
        Requirement.Require(cluster.UnavailableReason);
        Requirement.Require(RbldnsdServer.UnavailableReason);
        var database = await cluster.CreateDatabaseAsync("failover");
        await using var rbldnsd = await RbldnsdServer.StartAsync(SweepScenario.Zones(), Ct);

        // A's resolver passes the list's health check (RFC 5782 test points) and answers nothing
        // else, so A's chunks are still asking when A dies.
        using var stalling = new UdpResponder(HealthCheckOnly);
        var dataDirectory = Directory.CreateTempSubdirectory("postmaster-failover-").FullName;
        var instanceA = StartInstance(database, stalling.EndPoint, dataDirectory, out var urlA);
        long runId;
        try
        {
            using var apiA = new HttpClient { BaseAddress = urlA };
            apiA.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", PostmasterApp.AdminKey);
            await WaitUntilHealthyAsync(apiA, instanceA);
            await EnableOnlyZenAsync(apiA);
            Assert.Equal(HttpStatusCode.Created, (await apiA.PostAsJsonAsync("/api/assets", new { value = "203.0.113.0/27" }, Ct)).StatusCode);
            var started = await apiA.PostAsJsonAsync("/api/sweeps", new { assetIds = Array.Empty<long>() }, Ct);
            Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
            runId = (await started.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64();

            // The start job must be over too: recovered, it would schedule the missing chunks itself.
            await WaitUntilAsync(
                async () => await FiredAsync(database, $"sweep-{runId}-start") == 0 && await ChunksRunningAsync(database, runId) > 0,
                "instance A to be running a chunk of the sweep, and done starting it");
        }
        finally
        {
            await instanceA.StopAsync(entireProcessTree: true); // SIGKILL: no shutdown, no last check-in
        }

        Assert.True(await ChunksRunningAsync(database, runId) > 0, "the killed instance's chunk is still marked as executing");

        var settings = SweepScenario.Settings(rbldnsd.EndPoint);
        settings["Postmaster:Scheduler:Clustered"] = "true";
        settings["Postmaster:Scheduler:CheckinSeconds"] = "1";
        settings["Postmaster:Scheduler:FailoverSeconds"] = "2";
        await using var instanceB = PostmasterApp.Postgres(database, settings: settings);
        using var apiB = instanceB.Api();

        var run = await SweepScenario.WaitAsync(apiB, runId);

        Assert.True(run.GetProperty("state").GetString() == "completed", run.ToString());
        Assert.True(run.GetProperty("done").GetInt64() == 32, run.ToString());
        Assert.Equal(2, run.GetProperty("listed").GetInt64());
        Assert.Equal(0, run.GetProperty("unknown").GetInt64());
        var listings = await SweepScenario.ActiveListingsAsync(apiB);
        Assert.Equal(["203.0.113.5", "203.0.113.9"], listings.Select(l => l.GetProperty("value").GetString()).Order());
        ServerProcess.DeleteDirectory(dataDirectory);
    }

    private static ServerProcess StartInstance(string database, IPEndPoint dns, string dataDirectory, out Uri url)
    {
        url = new Uri($"http://127.0.0.1:{ProcessRunner.FreeLoopbackPort()}");
        return ServerProcess.Start(
            Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", // the SDK's own dotnet, as `dotnet test` ran us
            [Path.Combine(AppContext.BaseDirectory, "Postmaster.Web.dll"), "--urls", url.ToString()],
            new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["Postmaster__Database__Provider"] = "Postgres",
                ["ConnectionStrings__Postmaster"] = database,
                ["Postmaster__DataDirectory"] = dataDirectory,
                ["Postmaster__TemplatesDirectory"] = RepoPaths.Templates,
                ["Postmaster__Scheduler__Clustered"] = "true",
                ["Postmaster__Scheduler__CheckinSeconds"] = "1",
                ["Postmaster__Scheduler__FailoverSeconds"] = "2",
                ["Postmaster__Bootstrap__AdminEmail"] = PostmasterApp.AdminEmail,
                ["Postmaster__Bootstrap__AdminPassword"] = PostmasterApp.AdminPassword,
                ["Postmaster__Bootstrap__ApiKey"] = PostmasterApp.AdminKey,
                ["Postmaster__Blocklists__ScheduledSweeps"] = "false",
                ["Postmaster__Blocklists__ChunkSize"] = "16",
                ["Postmaster__Dns__Servers__0"] = dns.ToString(),
                ["Postmaster__Dns__TimeoutSeconds"] = "30",
                ["Postmaster__Dns__Retries"] = "0",
                ["Logging__LogLevel__Default"] = "Warning",
            });
    }

    /// <summary>127.0.0.2 (and its IPv6 form) listed, 127.0.0.1 not: what a health check asks. Silence for the rest.</summary>
    private static byte[]? HealthCheckOnly(byte[] received)
    {
        // DnsClient adds an EDNS record after the question: answer the question alone.
        var name = QuestionName(received);
        var query = received[..(12 + Encoding.ASCII.GetByteCount(name) + 1 + 4)];
        query[10] = query[11] = 0; // no additional records
        if (name.StartsWith("2.0.0.127.", StringComparison.Ordinal) || name.StartsWith("2.0.0.0.0.0.f.7.f.f.f.f.", StringComparison.Ordinal))
        {
            return DnsWireTests.Response(query, query.Length, rcode: 0, [127, 0, 0, 2]);
        }

        return name.StartsWith("1.0.0.127.", StringComparison.Ordinal) ? DnsWireTests.Response(query, query.Length, rcode: 3) : null;
    }

    private static string QuestionName(byte[] query)
    {
        var name = new StringBuilder();
        for (var at = 12; at < query.Length && query[at] != 0; at += query[at] + 1)
        {
            name.Append(Encoding.ASCII.GetString(query, at + 1, query[at])).Append('.');
        }

        return name.ToString().ToLowerInvariant();
    }

    private static async Task WaitUntilHealthyAsync(HttpClient api, ServerProcess instance)
    {
        await WaitUntilAsync(async () =>
        {
            if (instance.HasExited)
            {
                throw new InvalidOperationException($"Instance A exited with code {instance.ExitCode}: {instance.Output}");
            }

            try
            {
                return (await api.GetAsync("/healthz", Ct)).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, "instance A to start");
    }

    private static async Task EnableOnlyZenAsync(HttpClient api)
    {
        foreach (var list in await ApiPages.AllAsync(api, "/api/blocklists", ct: Ct))
        {
            var wanted = list.GetProperty("slug").GetString() == "spamhaus-zen";
            if (list.GetProperty("enabled").GetBoolean() != wanted)
            {
                var patched = await api.PatchAsJsonAsync($"/api/blocklists/{list.GetProperty("id").GetInt64()}", new { enabled = wanted }, Ct);
                Assert.True(patched.IsSuccessStatusCode, await patched.Content.ReadAsStringAsync(Ct));
            }
        }
    }

    /// <summary>Chunk jobs of the run executing (not merely acquired: those go back to waiting without any recovery).</summary>
    private static Task<long> ChunksRunningAsync(string database, long runId) =>
        FiredAsync(database, $"sweep-{runId}-chunk-%", "EXECUTING");

    private static async Task<long> FiredAsync(string database, string jobName, string? state = null)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM qrtz_fired_triggers WHERE job_name LIKE @name AND (@state::text IS NULL OR state = @state)", connection);
        command.Parameters.AddWithValue("name", jobName);
        command.Parameters.AddWithValue("state", (object?)state ?? DBNull.Value);
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited 60 s for {what}.");
            }

            await Task.Delay(100, Ct);
        }
    }
}
