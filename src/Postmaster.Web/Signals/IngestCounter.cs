using System.Text.Json;

namespace Postmaster.Web.Signals;

/// <summary>Counts what an ingest read, and keeps a few examples of what it could not read.</summary>
public sealed class IngestCounter
{
    public const int MaxSamples = 10;
    public const int MaxExcerpt = 300;

    public sealed record Sample(long Line, string Reason, string Excerpt);

    private readonly List<Sample> _samples = [];

    public long Accepted { get; set; }

    public long Ignored { get; set; }

    public long Malformed { get; private set; }

    public IReadOnlyList<Sample> Samples => _samples;

    public void AddMalformed(long line, string reason, string? excerpt)
    {
        Malformed++;
        if (_samples.Count < MaxSamples)
        {
            var text = new string((excerpt ?? "").Take(MaxExcerpt).Select(c => char.IsControl(c) ? ' ' : c).ToArray());
            _samples.Add(new Sample(line, reason.Length > MaxExcerpt ? reason[..MaxExcerpt] : reason, text));
        }
    }

    public string SamplesJson() => JsonSerializer.Serialize(_samples, Json);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}
