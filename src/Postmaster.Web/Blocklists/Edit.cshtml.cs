using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Postmaster.Core.Blocklists;
using Postmaster.Web.Infrastructure.Auth;

namespace Postmaster.Web.Blocklists;

[Authorize(Policy = Policies.AdminOnly)]
public sealed class EditModel(BlocklistDirectory directory) : PageModel
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public Blocklist List { get; private set; } = null!;

    public BlocklistDefinition Definition { get; private set; } = null!;

    [BindProperty]
    public string? Name { get; set; }

    [BindProperty]
    public string? DelistUrl { get; set; }

    [BindProperty]
    public string? Key { get; set; }

    [BindProperty]
    public string? MaxQueriesPerSecond { get; set; }

    [BindProperty]
    public string? CodesJson { get; set; }

    [BindProperty]
    public string? ErrorCodesJson { get; set; }

    public string? Error { get; private set; }

    public bool Saved { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }

        var entry = BlocklistDefinitionReader.Write(Definition);
        Name = entry.Name;
        DelistUrl = entry.DelistUrl;
        CodesJson = JsonSerializer.Serialize(entry.Codes, Json);
        ErrorCodesJson = JsonSerializer.Serialize(entry.ErrorCodes, Json);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }

        Dictionary<string, CatalogCode>? codes;
        Dictionary<string, string>? errors;
        try
        {
            codes = JsonSerializer.Deserialize<Dictionary<string, CatalogCode>>(CodesJson ?? "{}", Json);
            errors = JsonSerializer.Deserialize<Dictionary<string, string>>(ErrorCodesJson ?? "{}", Json);
        }
        catch (JsonException e)
        {
            Error = $"The codes are not valid JSON (line {e.LineNumber + 1}): fix them and save again.";
            return Page();
        }

        if (!int.TryParse(MaxQueriesPerSecond ?? "0", NumberStyles.None, CultureInfo.InvariantCulture, out var rate))
        {
            Error = "Max queries per second must be a whole number (0 for no limit).";
            return Page();
        }

        var outcome = await directory.UpdateAsync(id, new BlocklistPatch(
            Key: string.IsNullOrEmpty(Key) ? null : Key,
            MaxQueriesPerSecond: rate,
            Name: Name,
            Codes: codes,
            ErrorCodes: errors,
            DelistUrl: DelistUrl), ct);
        if (outcome.Invalid is { } invalid)
        {
            Error = invalid;
            return Page();
        }

        Saved = true;
        await LoadAsync(id, ct);
        return Page();
    }

    private async Task<bool> LoadAsync(long id, CancellationToken ct)
    {
        if (await directory.FindAsync(id, ct) is not { } list)
        {
            return false;
        }

        List = list;
        Definition = list.Definition();
        return true;
    }
}
