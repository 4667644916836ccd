using System.Diagnostics;
using System.Globalization;
using Postmaster.Core.Blocklists;
using Postmaster.Core.Signals;
using Postmaster.Core.Signals.Logs;

namespace Postmaster.Bench.Logs;

/// <summary>
/// One measured pass over a Postfix log: file → <see cref="LogLineReader"/> → <see cref="PostfixLogParser"/> →
/// <see cref="ResponseClassifier"/>, as the log upload does it. Modes stop after a stage so the cost of each shows:
/// <c>read</c> (lines only), <c>parse</c> (outcomes, no classifier), <c>ingest</c> (what ingestion does:
/// <c>Classify</c> for deferred and bounced outcomes, only the provider lookup <c>ProviderFor</c> for delivered
/// ones, whose kind the API reports as null) and <c>classify-all</c> (<c>Classify</c> for every outcome, delivered
/// ones too: the classifier's worst case).
/// </summary>
internal static class ClassificationRun
{
    public static async Task<int> RunAsync(string file, string templates, string mode)
    {
        if (mode is not ("read" or "parse" or "ingest" or "classify-all"))
        {
            Console.Error.WriteLine($"unknown mode {mode}");
            return 2;
        }

        var setup = Stopwatch.StartNew();
        var classifier = new ResponseClassifier(
            ProviderPackLoader.LoadAll(Path.Combine(templates, "providers")),
            BlocklistCatalog.Load(Path.Combine(templates, "blocklists", "catalog.json")).Lists.Select(l => new KeyValuePair<string, string>(l.Zone, l.Provider)));
        var parser = new PostfixLogParser();
        setup.Stop();

        var counts = new Dictionary<(string Provider, string Kind, DeliveryStatus Status), long>();
        long lines = 0, outcomes = 0, ignored = 0, malformed = 0, truncated = 0;
        long classifyDelivered = 0, classifyFailed = 0; // Stopwatch ticks spent in the classifier, by outcome

        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var allocatedBefore = GC.GetTotalAllocatedBytes();
        var gcBefore = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var clock = Stopwatch.StartNew();

        await using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan))
        {
            await foreach (var line in LogLineReader.ReadAsync(stream))
            {
                lines++;
                truncated += line.Truncated ? 1 : 0;
                if (mode == "read")
                {
                    continue;
                }

                var result = parser.Parse(line.Text);
                switch (result.Kind)
                {
                    case LogLineKind.Ignored:
                        ignored++;
                        continue;
                    case LogLineKind.Malformed:
                        malformed++;
                        continue;
                }

                outcomes++;
                if (mode == "parse")
                {
                    continue;
                }

                var outcome = result.Outcome!;
                string? provider;
                string? kind;
                var started = Stopwatch.GetTimestamp();
                if (mode == "ingest" && outcome.Status == DeliveryStatus.Delivered)
                {
                    provider = classifier.ProviderFor(outcome.RecipientDomain, outcome.Mx)?.Slug;
                    kind = null;
                }
                else
                {
                    var classification = classifier.Classify(outcome.Response, outcome.RecipientDomain, outcome.Mx);
                    provider = classification.Provider;
                    kind = outcome.Status == DeliveryStatus.Delivered ? null : classification.Kind?.ToApi();
                }

                var ticks = Stopwatch.GetTimestamp() - started;
                if (outcome.Status == DeliveryStatus.Delivered)
                {
                    classifyDelivered += ticks;
                }
                else
                {
                    classifyFailed += ticks;
                }

                var key = (provider ?? "-", kind ?? "-", outcome.Status);
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        }

        clock.Stop();
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        var seconds = clock.Elapsed.TotalSeconds;
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"mode={mode}"));
        Console.WriteLine(string.Create(inv, $"setup_seconds={setup.Elapsed.TotalSeconds:F3}"));
        Console.WriteLine(string.Create(inv, $"lines={lines}"));
        Console.WriteLine(string.Create(inv, $"outcomes={outcomes}"));
        Console.WriteLine(string.Create(inv, $"ignored={ignored}"));
        Console.WriteLine(string.Create(inv, $"malformed={malformed}"));
        Console.WriteLine(string.Create(inv, $"truncated={truncated}"));
        Console.WriteLine(string.Create(inv, $"seconds={seconds:F3}"));
        Console.WriteLine(string.Create(inv, $"cpu_seconds={cpu:F3}"));
        Console.WriteLine(string.Create(inv, $"lines_per_second={lines / seconds:F0}"));
        Console.WriteLine(string.Create(inv, $"outcomes_per_second={outcomes / seconds:F0}"));
        Console.WriteLine(string.Create(inv, $"classifier_seconds_delivered={classifyDelivered / (double)Stopwatch.Frequency:F3}"));
        Console.WriteLine(string.Create(inv, $"classifier_seconds_deferred_bounced={classifyFailed / (double)Stopwatch.Frequency:F3}"));
        Console.WriteLine(string.Create(inv, $"allocated_mb={(GC.GetTotalAllocatedBytes() - allocatedBefore) / 1048576.0:F0}"));
        Console.WriteLine(string.Create(inv, $"gc={GC.CollectionCount(0) - gcBefore.Item1}/{GC.CollectionCount(1) - gcBefore.Item2}/{GC.CollectionCount(2) - gcBefore.Item3}"));
        Console.WriteLine(string.Create(inv, $"peak_rss_mb={process.PeakWorkingSet64 / 1048576.0:F0}"));
        foreach (var ((provider, kind, status), count) in counts.OrderBy(c => c.Key.Provider, StringComparer.Ordinal).ThenBy(c => c.Key.Status).ThenBy(c => c.Key.Kind, StringComparer.Ordinal))
        {
            Console.WriteLine(string.Create(inv, $"count\t{provider}\t{status.ToApi()}\t{kind}\t{count}"));
        }

        return 0;
    }
}
