using Microsoft.EntityFrameworkCore;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Incidents;

/// <summary>The affected-value rows one engine transaction reads and writes, loaded in bulk.</summary>
internal sealed class IncidentValues(PostmasterDbContext db, IncidentWork work)
{
    private readonly Dictionary<(long IncidentId, string Value, string Source), IncidentValue> _rows = [];

    /// <summary>Loads the rows of these values in the incidents the work has loaded.</summary>
    public async Task LoadAsync(IEnumerable<string> values, CancellationToken ct)
    {
        var incidentIds = work.Loaded.Select(i => i.Id).ToList();
        if (incidentIds.Count == 0)
        {
            return;
        }

        foreach (var chunk in values.Distinct().Chunk(1000))
        {
            var some = chunk.ToList();
            foreach (var row in await db.IncidentValues.Where(v => incidentIds.Contains(v.IncidentId) && some.Contains(v.Value)).ToListAsync(ct))
            {
                _rows[(row.IncidentId, row.Value, row.Source)] = row;
            }
        }
    }

    public IncidentValue? Find(long incidentId, string value, string source) => _rows.GetValueOrDefault((incidentId, value, source));

    /// <summary>The row of (incident, value, source), added (and counted on the incident) when new.</summary>
    public IncidentValue Upsert(Incident incident, string value, string source, IncidentBasis basis, DateTimeOffset at)
    {
        if (_rows.TryGetValue((incident.Id, value, source), out var row))
        {
            return row;
        }

        row = new IncidentValue
        {
            IncidentId = incident.Id,
            Value = ColumnText.Fit(value, 300)!,
            Source = ColumnText.Fit(source, 255)!,
            Basis = basis,
            FirstSeen = at,
            LastSeen = at,
        };
        db.IncidentValues.Add(row);
        incident.AffectedCount++;
        _rows[(incident.Id, value, source)] = row;
        return row;
    }
}
