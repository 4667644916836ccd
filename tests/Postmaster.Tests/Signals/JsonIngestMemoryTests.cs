using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Postmaster.Tests.Infrastructure;

namespace Postmaster.Tests.Signals;

/// <summary>Runs alone: it measures this process's memory, which parallel tests would disturb.</summary>
[CollectionDefinition(nameof(MemoryMeasurement), DisableParallelization = true)]
public sealed class MemoryMeasurement;

/// <summary>A JSON array is held to the NDJSON standard: one huge element costs neither the batch nor the server's memory.</summary>
[Collection(nameof(MemoryMeasurement))]
public sealed class JsonIngestMemoryTests : IAsyncLifetime
{
    private const long ElementBytes = 200L * 1024 * 1024;
    private const long AllowedGrowthBytes = 100L * 1024 * 1024;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly string _dir = Directory.CreateTempSubdirectory("postmaster-memory-").FullName;
    private PostmasterApp _app = null!;

    public ValueTask InitializeAsync()
    {
        _app = PostmasterApp.Sqlite(_dir, kestrel: true);
        _ = _app.ServerAddress;
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Theory]
    [InlineData("digits")]
    [InlineData("string")]
    public async Task A_200_MB_element_is_malformed_the_others_kept_and_memory_stays_flat(string kind)
    {
        using var api = _app.Api();
        api.Timeout = TimeSpan.FromMinutes(5);
        using var content = new HugeElementArray(kind, ElementBytes);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        var baseline = process.WorkingSet64;
        var heapBaseline = GC.GetTotalMemory(forceFullCollection: false);
        var peak = baseline;
        var peakHeap = heapBaseline;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                process.Refresh();
                peak = Math.Max(peak, process.WorkingSet64);
                peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(forceFullCollection: false));
                await Task.Delay(20, CancellationToken.None);
            }
        }, CancellationToken.None);

        var response = await api.PostAsync("/api/signals", content, Ct);
        await sampling.CancelAsync();
        await sampler;

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var counts = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(2, counts.GetProperty("accepted").GetInt64());
        Assert.Equal(1, counts.GetProperty("malformed").GetInt64());
        Assert.Equal(2, counts.GetProperty("malformedSamples")[0].GetProperty("line").GetInt64());
        Assert.True(peak - baseline < AllowedGrowthBytes, $"The working set grew by {(peak - baseline) / 1024 / 1024} MB for a {ElementBytes / 1024 / 1024} MB element.");
        Assert.True(peakHeap - heapBaseline < AllowedGrowthBytes, $"The GC heap grew by {(peakHeap - heapBaseline) / 1024 / 1024} MB for a {ElementBytes / 1024 / 1024} MB element.");
    }

    /// <summary>[good, huge, good], written as it is sent so the test itself holds only one small buffer.</summary>
    private sealed class HugeElementArray : HttpContent
    {
        private readonly string _kind;
        private readonly long _elementBytes;

        public HugeElementArray(string kind, long elementBytes)
        {
            _kind = kind;
            _elementBytes = elementBytes;
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync("[{\"status\":\"delivered\",\"sourceIp\":\"198.51.100.60\",\"recipientDomain\":\"gmail.com\"},\n"u8.ToArray());
            var chunk = new byte[64 * 1024];
            Array.Fill(chunk, _kind == "digits" ? (byte)'7' : (byte)'x');
            await stream.WriteAsync(_kind == "digits" ? "1"u8.ToArray() : "\""u8.ToArray());
            for (var written = 0L; written < _elementBytes; written += chunk.Length)
            {
                await stream.WriteAsync(chunk);
            }

            if (_kind != "digits")
            {
                await stream.WriteAsync("\""u8.ToArray());
            }

            await stream.WriteAsync(",\n{\"status\":\"delivered\",\"sourceIp\":\"198.51.100.60\",\"recipientDomain\":\"yahoo.com\"}]"u8.ToArray());
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
