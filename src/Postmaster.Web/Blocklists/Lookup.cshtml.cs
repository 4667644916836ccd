using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Postmaster.Web.Blocklists;

public sealed class LookupModel(AdHocLookup lookup) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Value { get; set; }

    public IReadOnlyList<LookupListResult>? Results { get; private set; }

    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(Value))
        {
            return;
        }

        var result = await lookup.RunAsync(Value, ct);
        (Results, Error) = (result.Response?.Results, result.Error);
    }
}
