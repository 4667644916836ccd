using System.Globalization;
using System.Text;

internal static class Report
{
    public static string Results(Options options, int files, Timing ours, Timing oursParse, SisimaiRun sisimai, Comparison c, Explanations explanations, int bounces, int withReply)
    {
        var s = sisimai.Timing;
        var ratioMedian = ours.Rate(ours.Median) / Math.Max(s.Rate(s.Median), 1e-9);
        var ratioFirst = ours.Rate(ours.First) / Math.Max(s.Rate(s.First), 1e-9);
        var ratioCpu = ours.Rate(ours.CpuMedian) / Math.Max(s.Rate(s.CpuMedian), 1e-9);
        var ratioParse = oursParse.Rate(oursParse.Median) / Math.Max(s.Rate(s.Median), 1e-9);
        var text = new StringBuilder();
        text.AppendLine("# Bounce (DSN) parsing benchmark");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Run {DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ} on {Environment.ProcessorCount} CPUs (load average {options.Load}), .NET {Environment.Version}, Sisimai {sisimai.Version}; {files} messages from `{options.Corpus}`.");
        text.AppendLine("Both sides run single-threaded in one process each, read every file from disk per pass and are timed inside the process");
        text.AppendLine("(interpreter/runtime start-up excluded). Postmaster: `BounceParser.Parse` + `ToOutcome` + `ResponseClassifier.Classify` per recipient,");
        text.AppendLine("a fresh classifier (empty cache) each pass. Sisimai: `Sisimai->make($path)` per file (reason, diagnostic code).");
        text.AppendLine("CPU s is the process's user + system time over the pass (all its threads: JIT and GC included); it is the steadier figure on a busy machine.");
        text.AppendLine();
        text.AppendLine("| tool | first pass s | median s | best s | msg/s (median) | median CPU s | msg/CPU-s | passes |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        text.AppendLine(Line("Postmaster parse + classify", ours));
        text.AppendLine(Line("Postmaster parse only", oursParse));
        text.AppendLine(Line("Sisimai `make($path)` per file", s));
        if (sisimai.MaildirSeconds is { } maildir)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| Sisimai `make($maildir)` one call | {maildir:0.000} | | | {files / maildir:0} | | | 1 |");
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Pass wall times, Postmaster: {ours.All} (CPU {ours.AllCpu}); Sisimai: {s.All} (CPU {s.AllCpu}).");
        if (sisimai.LoadSeconds is { } load)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Sisimai module load (`require Sisimai`, before the passes): {load:0.000} s.");
        }

        text.AppendLine();

        text.AppendLine(CultureInfo.InvariantCulture, $"Postmaster read {bounces} of {files} as bounces, {withReply} ({100.0 * withReply / files:0.0} %) with a recipient that has a reply or a code. Sisimai returned nothing for {c.SisimaiEmpty}.");
        text.AppendLine();
        text.AppendLine("Block-type: Sisimai reasons `blocked`, `rejected`, `spamdetected`, `policyviolation`, `toomanyconn`, `securityerror`;");
        text.AppendLine("Postmaster kinds `ip-reputation`, `blocklist`, `rate-limit`, `auth`, `content`, `policy`. A file is block-type for a side when any");
        text.AppendLine("of its recipients is. Agreement (the spec's \"for at least 90 % of them\": of the messages) = messages both sides label alike, block-type or not, ÷ all messages.");
        text.AppendLine("The stricter figure below leaves out the messages neither side calls block-type, so agreeing on \"user unknown\" does not count.");
        text.AppendLine();
        text.AppendLine("| goal | figure | target | |");
        text.AppendLine("| --- | ---: | --- | --- |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| speed: Postmaster parse + classify ÷ Sisimai, msg/s, median pass | {ratioMedian:0.0}× | ≥ 10× | {(ratioMedian >= 10 ? "met" : "NOT met")} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| speed: Postmaster parse + classify ÷ Sisimai, msg per CPU-second, median pass | {ratioCpu:0.0}× | ≥ 10× | {(ratioCpu >= 10 ? "met" : "NOT met")} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| speed: Postmaster parse only ÷ Sisimai, msg/s, median pass | {ratioParse:0.0}× | ≥ 10× | {(ratioParse >= 10 ? "met" : "NOT met")} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| block-type agreement: same block / not-block label, of all {c.Files} messages | {100 * c.Overall:0.0} % ({c.SameLabel} of {c.Files}) | ≥ 90 % | {(c.Overall >= 0.9 ? "met" : "NOT met")} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| (not a goal) stricter: both say block-type ÷ either says block-type | {100 * c.Agreement:0.0} % ({c.Both} of {c.Either}) | | |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| (not a goal) speed, first pass (cold: JIT, module loading) | {ratioFirst:0.0}× | | |");
        var explained = c.Disagreements.Count(d => explanations.For(d) is not null);
        text.AppendLine(CultureInfo.InvariantCulture, $"| disagreements explained (`bench/bounces/explanations.tsv`) | {explained} of {c.Disagreements.Count} | all | {(explained == c.Disagreements.Count ? "met" : "NOT met")} |");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Block-type files: Sisimai {c.SisimaiBlock}, Postmaster {c.OursBlock}, both {c.Both}. {c.Disagreements.Count} disagreements: bench/out/bounces-disagreements.md.");
        var unexplained = c.Disagreements.Where(d => explanations.For(d) is null).Select(d => d.Ours.File).ToList();
        if (unexplained.Count > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Not explained yet: {string.Join(", ", unexplained)}.");
        }

        var stale = explanations.Stale(c);
        if (stale.Count > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Stale explanations (the file agrees now, or disagrees the other way round; update explanations.tsv): {string.Join(", ", stale.Select(e => e.File))}.");
        }
        return text.ToString();
    }

    public static string Disagreements(Comparison c, Explanations explanations)
    {
        var text = new StringBuilder();
        text.AppendLine("# Bounce benchmark: block-type disagreements with Sisimai");
        text.AppendLine();
        var explained = c.Disagreements.Count(d => explanations.For(d) is not null);
        text.AppendLine(CultureInfo.InvariantCulture, $"{c.Disagreements.Count} files where exactly one side says block-type; {explained} of them explained by a person in");
        text.AppendLine("`bench/bounces/explanations.tsv` (read from the message). The first-guess line is mechanical (which side read what).");
        text.AppendLine();
        text.AppendLine("| cause (explanations.tsv) | files |");
        text.AppendLine("| --- | ---: |");
        foreach (var group in c.Disagreements.GroupBy(d => explanations.For(d)?.Cause ?? "**not explained**").OrderByDescending(g => g.Count()))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {group.Key} | {group.Count()} |");
        }

        text.AppendLine();
        text.AppendLine("| first-guess cause | files |");
        text.AppendLine("| --- | ---: |");
        foreach (var group in c.Disagreements.GroupBy(Cause).OrderByDescending(g => g.Count()))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {group.Key} | {group.Count()} |");
        }

        foreach (var group in c.Disagreements.GroupBy(d => d.SisimaiBlock))
        {
            text.AppendLine();
            text.AppendLine(group.Key ? "## Sisimai says block-type, Postmaster does not" : "## Postmaster says block-type, Sisimai does not");
            foreach (var d in group)
            {
                var sisimai = d.Sisimai.Count == 0 ? "(nothing)" : string.Join(", ", d.Sisimai.Select(r => r.Reason).Distinct());
                var diagnostic = d.Sisimai.Find(r => SisimaiRun.BlockReasons.Contains(r.Reason))?.Diagnostic ?? d.Sisimai.FirstOrDefault()?.Diagnostic;
                var ours = d.Ours.Recipients.FirstOrDefault();
                text.AppendLine();
                text.AppendLine(CultureInfo.InvariantCulture, $"### {d.Ours.File}");
                text.AppendLine(CultureInfo.InvariantCulture, $"- Sisimai: **{sisimai}**; diagnostic: `{Md(diagnostic)}`");
                text.AppendLine(CultureInfo.InvariantCulture, $"- Postmaster: **{d.Ours.Kinds}**{(ours.Classification?.Provider is { } p ? $", provider {p}" : "")}; response: `{Md(ours.Recipient?.Response ?? d.Ours.Report.NotABounceBecause)}`");
                text.AppendLine(explanations.For(d) is { } e
                    ? $"- Explained ({e.Cause}): {e.Text}"
                    : "- **Not explained**: read the message and add a line to bench/bounces/explanations.tsv");
                text.AppendLine(CultureInfo.InvariantCulture, $"- Cause (first guess): {Cause(d)}");
            }
        }

        return text.ToString();
    }

    /// <summary>Sisimai's non-block reasons that Postmaster's block kinds also cover (relay refused, malware, content).</summary>
    private static readonly HashSet<string> NeighbourReasons = new(StringComparer.Ordinal) { "norelaying", "virusdetected", "contenterror", "filtered", "onhold", "syntaxerror" };

    private static string Cause(Disagreement d)
    {
        if (d.Sisimai.Count == 0)
        {
            return "Sisimai read nothing from this message (format unknown to this Sisimai version)";
        }

        if (!d.Ours.Report.IsBounce)
        {
            return "Postmaster: not a bounce";
        }

        var kinds = d.Ours.Recipients.Select(r => r.Classification).ToList();
        if (d.SisimaiBlock)
        {
            if (kinds.TrueForAll(k => k.MatchedRule is null))
            {
                return "no provider-pack rule matches the reply (Postmaster: no kind)";
            }

            return "a pack rule gives a non-block kind (user-unknown / other) where Sisimai's own tables say block";
        }

        return d.Sisimai.Exists(r => NeighbourReasons.Contains(r.Reason))
            ? "taxonomy: Sisimai's reason (relaying, virus, content, filtered, on hold) is outside the block-type list, Postmaster's kind is inside"
            : "a pack rule says block-type where Sisimai reads another reason";
    }

    private static string Line(string name, Timing t) => string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {t.First:0.000} | {t.Median:0.000} | {t.Best:0.000} | {t.Rate(t.Median):0} | {t.CpuMedian:0.000} | {t.Rate(t.CpuMedian):0} | {t.Passes} |");

    private static string Md(string? text) => text is null ? "" : (text.Length > 400 ? text[..400] + "…" : text).Replace('`', '\'').Replace('\n', ' ');
}
