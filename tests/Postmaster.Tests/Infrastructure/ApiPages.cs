using System.Net.Http.Json;
using System.Text.Json;

namespace Postmaster.Tests.Infrastructure;

/// <summary>Reads a paged list endpoint ({"items", "next"}) as a client would: page after page until next is null.</summary>
public static class ApiPages
{
    public static async Task<List<JsonElement>> AllAsync(HttpClient api, string path, int limit = 1000, CancellationToken ct = default)
    {
        var all = new List<JsonElement>();
        string? cursor = null;
        var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        do
        {
            var url = $"{path}{separator}limit={limit}" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            var page = await api.GetFromJsonAsync<JsonElement>(url, ct);
            all.AddRange(page.GetProperty("items").EnumerateArray());
            var next = page.GetProperty("next");
            cursor = next.ValueKind == JsonValueKind.Null ? null : next.GetString();
        }
        while (cursor is not null);

        return all;
    }
}
