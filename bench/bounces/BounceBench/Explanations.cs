/// <summary>A person's reason for one disagreement (a line of bench/bounces/explanations.tsv).</summary>
/// <param name="SisimaiSide">True when the explanation is for "Sisimai says block-type, Postmaster does not".</param>
internal sealed record Explanation(string File, bool SisimaiSide, string Cause, string Text);

/// <summary>
/// The curated explanations, keyed by file. An explanation counts only while its file still disagrees the same way
/// round: when a rule change flips or ends a disagreement, the old reason is reported as stale instead of being
/// silently reused for a different situation.
/// </summary>
internal sealed class Explanations
{
    private readonly Dictionary<string, Explanation> _byFile;

    private Explanations(Dictionary<string, Explanation> byFile, string? path)
    {
        _byFile = byFile;
        Path = path;
    }

    public string? Path { get; }

    public static Explanations Load(string? path)
    {
        var byFile = new Dictionary<string, Explanation>(StringComparer.Ordinal);
        if (path is null)
        {
            return new Explanations(byFile, null);
        }

        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (line.Length == 0 || line.StartsWith('#') || line.StartsWith("file\t", StringComparison.Ordinal))
            {
                continue;
            }

            var f = line.Split('\t');
            if (f.Length != 4 || f[1] is not ("sisimai" or "postmaster") || f[3].Trim().Length == 0)
            {
                throw new FormatException($"{path}:{number}: expected 'file<TAB>sisimai|postmaster<TAB>cause<TAB>explanation'");
            }

            if (!byFile.TryAdd(f[0], new Explanation(f[0], f[1] == "sisimai", f[2], f[3].Trim())))
            {
                throw new FormatException($"{path}:{number}: {f[0]} is explained twice");
            }
        }

        return new Explanations(byFile, path);
    }

    public Explanation? For(Disagreement d) =>
        _byFile.TryGetValue(d.Ours.File, out var e) && e.SisimaiSide == d.SisimaiBlock ? e : null;

    /// <summary>Explanations that match no disagreement of this run (the file now agrees, or disagrees the other way round).</summary>
    public List<Explanation> Stale(Comparison c)
    {
        var used = c.Disagreements.Select(For).OfType<Explanation>().Select(e => e.File).ToHashSet(StringComparer.Ordinal);
        return _byFile.Values.Where(e => !used.Contains(e.File)).OrderBy(e => e.File, StringComparer.Ordinal).ToList();
    }
}
