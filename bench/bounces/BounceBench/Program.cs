// Bounce benchmark: Postmaster's BounceParser + ResponseClassifier over the Sisimai corpus, timed in this
// process, then compared with Sisimai's reasons for the same files (run.sh runs Sisimai first and passes
// its TSV). See bench/README.md, "Bounces".
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Postmaster.Core.Blocklists;
using Postmaster.Core.Signals;
using Postmaster.Core.Signals.Bounces;

var options = Options.Parse(args);
var files = Directory.GetFiles(options.Corpus, "*.eml").Order(StringComparer.Ordinal).ToArray();
if (files.Length == 0)
{
    Console.Error.WriteLine($"no *.eml files in {options.Corpus}");
    return 2;
}

var packs = ProviderPackLoader.LoadAll(Path.Combine(options.Templates, "providers"));
var zones = BlocklistCatalog.Load(Path.Combine(options.Templates, "blocklists", "catalog.json")).Lists
    .Select(l => KeyValuePair.Create(l.Zone, l.Provider)).ToList();

// Timed passes: each reads every file from disk (as Sisimai->make($path) does), parses it and classifies every
// recipient with a fresh classifier (no reply cached from an earlier pass). The first pass includes JIT.
var parseAndClassify = new List<double>();
var parseAndClassifyCpu = new List<double>();
var parseOnly = new List<double>();
var parseOnlyCpu = new List<double>();
using var process = Process.GetCurrentProcess();
Row[] rows = [];
for (var i = 0; i < options.Iterations; i++)
{
    var classifier = new ResponseClassifier(packs, zones);
    process.Refresh();
    var cpu = process.TotalProcessorTime;
    var watch = Stopwatch.StartNew();
    var pass = new Row[files.Length];
    for (var f = 0; f < files.Length; f++)
    {
        using var stream = Open(files[f]);
        var report = BounceParser.Parse(stream);
        var recipients = new List<(BouncedRecipient Recipient, Classification Classification)>(report.Recipients.Count);
        foreach (var r in report.Recipients)
        {
            var outcome = BounceParser.ToOutcome(r);
            recipients.Add((r, classifier.Classify(outcome.Response, outcome.RecipientDomain, outcome.Mx)));
        }

        pass[f] = new Row(Path.GetFileName(files[f]), report, recipients);
    }

    parseAndClassify.Add(watch.Elapsed.TotalSeconds);
    process.Refresh();
    parseAndClassifyCpu.Add((process.TotalProcessorTime - cpu).TotalSeconds);
    rows = pass;

    process.Refresh();
    cpu = process.TotalProcessorTime;
    watch.Restart();
    var count = 0;
    foreach (var file in files)
    {
        using var stream = Open(file);
        count += BounceParser.Parse(stream).Recipients.Count;
    }

    parseOnly.Add(watch.Elapsed.TotalSeconds);
    process.Refresh();
    parseOnlyCpu.Add((process.TotalProcessorTime - cpu).TotalSeconds);
    GC.KeepAlive(count);
}

Directory.CreateDirectory(options.Out);
WriteRows(Path.Combine(options.Out, "bounces-postmaster.tsv"), rows);

var ours = new Timing(files.Length, parseAndClassify, parseAndClassifyCpu);
var oursParse = new Timing(files.Length, parseOnly, parseOnlyCpu);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"postmaster: {files.Length} files, parse+classify {ours}; parse only {oursParse}"));

var bounces = rows.Count(r => r.Report.IsBounce);
var withReply = rows.Count(r => r.Report.IsBounce && r.Recipients.Exists(x => x.Recipient.Response is not null || x.Recipient.SmtpCode is not null));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"postmaster: {bounces} bounces, {withReply} with a recipient with a reply or code ({100.0 * withReply / files.Length:0.0} %)"));

if (options.SisimaiRows is null || options.SisimaiTimes is null)
{
    return 0;
}

var sisimai = SisimaiRun.Load(options.SisimaiRows, options.SisimaiTimes);
var comparison = Comparison.Of(rows, sisimai);
var explanations = Explanations.Load(options.Explanations);
var results = Report.Results(options, files.Length, ours, oursParse, sisimai, comparison, explanations, bounces, withReply);
File.WriteAllText(Path.Combine(options.Out, "bounces-results.md"), results);
File.WriteAllText(Path.Combine(options.Out, "bounces-disagreements.md"), Report.Disagreements(comparison, explanations));
Console.WriteLine(results);
return 0;

static void WriteRows(string path, Row[] rows)
{
    var text = new StringBuilder("file\tis_bounce\tnot_a_bounce_because\trecipient\tstatus\tcode\tenhanced\tremote_mta\tprovider\tkind\trule\tresponse\n");
    foreach (var row in rows)
    {
        if (row.Recipients.Count == 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{row.File}\t{row.Report.IsBounce}\t{Tsv(row.Report.NotABounceBecause)}\t\t\t\t\t\t\t\t\t\n");
        }

        foreach (var (r, c) in row.Recipients)
        {
            text.Append(CultureInfo.InvariantCulture, $"{row.File}\t{row.Report.IsBounce}\t\t{Tsv(r.Recipient)}\t{r.Status.ToApi()}\t{r.SmtpCode}\t{r.EnhancedCode}\t{Tsv(r.RemoteMta)}\t{c.Provider}\t{c.Kind?.ToApi()}\t{c.MatchedRule}\t{Tsv(r.Response)}\n");
        }
    }

    File.WriteAllText(path, text.ToString());
}

// No FileStream buffer: the MIME parser reads in blocks of its own (Sisimai, for its part, slurps each file).
static FileStream Open(string path) => new(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);

static string Tsv(string? text) => text is null ? "" : text.Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ');

internal sealed record Row(string File, BounceReport Report, List<(BouncedRecipient Recipient, Classification Classification)> Recipients)
{
    public static readonly HashSet<SignalKind> BlockKinds = [SignalKind.IpReputation, SignalKind.Blocklist, SignalKind.RateLimit, SignalKind.Auth, SignalKind.Content, SignalKind.Policy];

    public bool IsBlock => Recipients.Exists(r => r.Classification.Kind is { } k && BlockKinds.Contains(k));

    public string Kinds => Recipients.Count == 0
        ? Report.IsBounce ? "(no recipient)" : "(not a bounce)"
        : string.Join(", ", Recipients.Select(r => $"{r.Classification.Kind?.ToApi() ?? "(none)"}{(r.Classification.MatchedRule is { } rule ? $" [{rule}]" : "")}").Distinct());
}

/// <summary>Per-pass wall and CPU (user + system, all threads of the process) seconds.</summary>
internal sealed class Timing(int messages, List<double> seconds, List<double> cpu)
{
    public double First => seconds[0];

    public double Median => Med(seconds);

    public double Best => seconds.Min();

    public double CpuMedian => cpu.Count == 0 ? double.NaN : Med(cpu);

    public int Passes => seconds.Count;

    public double Rate(double s) => s > 0 ? messages / s : 0;

    public string All => string.Join(", ", seconds.Select(s => s.ToString("0.000", CultureInfo.InvariantCulture)));

    public string AllCpu => string.Join(", ", cpu.Select(s => s.ToString("0.000", CultureInfo.InvariantCulture)));

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"first {First:0.000} s ({Rate(First):0} msg/s), median {Median:0.000} s ({Rate(Median):0} msg/s), best {Best:0.000} s ({Rate(Best):0} msg/s), median CPU {CpuMedian:0.000} s ({Rate(CpuMedian):0} msg/CPU-s) over {Passes} passes");

    private static double Med(List<double> values) => values.Order().ElementAt(values.Count / 2);
}

internal sealed record SisimaiRecord(string File, string Reason, string? Code, string? Status, string? Recipient, string? Diagnostic);

internal sealed class SisimaiRun
{
    public static readonly HashSet<string> BlockReasons = new(StringComparer.Ordinal) { "blocked", "rejected", "spamdetected", "policyviolation", "toomanyconn", "securityerror" };

    public required Dictionary<string, List<SisimaiRecord>> ByFile { get; init; }

    public required Timing Timing { get; init; }

    public double? MaildirSeconds { get; init; }

    public string Version { get; init; } = "?";

    public double? LoadSeconds { get; init; }

    public static SisimaiRun Load(string rowsPath, string timesPath)
    {
        var byFile = new Dictionary<string, List<SisimaiRecord>>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(rowsPath).Skip(1))
        {
            var f = line.Split('\t');
            if (f.Length < 6)
            {
                continue;
            }

            if (!byFile.TryGetValue(f[0], out var list))
            {
                byFile[f[0]] = list = [];
            }

            if (f[1].Length > 0)
            {
                list.Add(new SisimaiRecord(f[0], f[1], Empty(f[2]), Empty(f[3]), Empty(f[4]), Empty(f[5])));
            }
        }

        var passes = new List<double>();
        var cpu = new List<double>();
        double? maildir = null;
        double? load = null;
        var version = "?";
        var messages = 0;
        foreach (var line in File.ReadLines(timesPath))
        {
            var f = line.Split(' ', 2);
            if (f.Length < 2)
            {
                continue;
            }

            switch (f[0])
            {
                case "pass":
                    passes.Add(double.Parse(f[1], CultureInfo.InvariantCulture));
                    break;
                case "cpu":
                    cpu.Add(double.Parse(f[1], CultureInfo.InvariantCulture));
                    break;
                case "maildir":
                    maildir = double.Parse(f[1], CultureInfo.InvariantCulture);
                    break;
                case "load":
                    load = double.Parse(f[1], CultureInfo.InvariantCulture);
                    break;
                case "version":
                    version = f[1].Trim();
                    break;
                case "files":
                    messages = int.Parse(f[1], CultureInfo.InvariantCulture);
                    break;
                default:
                    break;
            }
        }

        return new SisimaiRun { ByFile = byFile, Timing = new Timing(messages, passes, cpu), MaildirSeconds = maildir, LoadSeconds = load, Version = version };
    }

    private static string? Empty(string s) => s.Length == 0 ? null : s;
}

internal sealed record Disagreement(Row Ours, List<SisimaiRecord> Sisimai, bool SisimaiBlock, bool OursBlock);

internal sealed class Comparison
{
    public int Files { get; private init; }

    public int SisimaiBlock { get; private init; }

    public int OursBlock { get; private init; }

    public int Both { get; private init; }

    public int Either { get; private init; }

    public int SameLabel { get; private init; }

    public int SisimaiEmpty { get; private init; }

    public List<Disagreement> Disagreements { get; } = [];

    public double Agreement => Either == 0 ? 1 : (double)Both / Either;

    public double Overall => Files == 0 ? 1 : (double)SameLabel / Files;

    public static Comparison Of(Row[] rows, SisimaiRun sisimai)
    {
        int sBlock = 0, oBlock = 0, both = 0, either = 0, same = 0, empty = 0;
        var disagreements = new List<Disagreement>();
        foreach (var row in rows)
        {
            var records = sisimai.ByFile.GetValueOrDefault(row.File) ?? [];
            empty += records.Count == 0 ? 1 : 0;
            var s = records.Exists(r => SisimaiRun.BlockReasons.Contains(r.Reason));
            var o = row.IsBlock;
            sBlock += s ? 1 : 0;
            oBlock += o ? 1 : 0;
            both += s && o ? 1 : 0;
            either += s || o ? 1 : 0;
            same += s == o ? 1 : 0;
            if (s != o)
            {
                disagreements.Add(new Disagreement(row, records, s, o));
            }
        }

        var result = new Comparison { Files = rows.Length, SisimaiBlock = sBlock, OursBlock = oBlock, Both = both, Either = either, SameLabel = same, SisimaiEmpty = empty };
        result.Disagreements.AddRange(disagreements);
        return result;
    }
}

internal sealed class Options
{
    public string Corpus { get; private set; } = "../shared/corpus/bounces/maildir/bsd";

    public string Templates { get; private set; } = "templates";

    public string Out { get; private set; } = "bench/out";

    public int Iterations { get; private set; } = 5;

    public string? SisimaiRows { get; private set; }

    public string? SisimaiTimes { get; private set; }

    /// <summary>bench/bounces/explanations.tsv: the curated reason for each disagreement.</summary>
    public string? Explanations { get; private set; }

    public string Load { get; private set; } = File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    public static Options Parse(string[] args)
    {
        var o = new Options();
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            switch (args[i])
            {
                case "--corpus":
                    o.Corpus = value;
                    break;
                case "--templates":
                    o.Templates = value;
                    break;
                case "--out":
                    o.Out = value;
                    break;
                case "--iterations":
                    o.Iterations = Math.Max(1, int.Parse(value, CultureInfo.InvariantCulture));
                    break;
                case "--sisimai-rows":
                    o.SisimaiRows = value;
                    break;
                case "--sisimai-times":
                    o.SisimaiTimes = value;
                    break;
                case "--explanations":
                    o.Explanations = value;
                    break;
                default:
                    throw new ArgumentException($"unknown option {args[i]}");
            }
        }

        return o;
    }
}
