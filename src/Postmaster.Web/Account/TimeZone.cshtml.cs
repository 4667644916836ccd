using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Postmaster.Web.Infrastructure.Auth;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Infrastructure.Time;

namespace Postmaster.Web.Account;

/// <summary>
/// A signed-in person chooses the time zone pages show times in (PRODUCT.md: times are stored and
/// served in UTC, pages show them in the viewer's zone, default <c>Postmaster:TimeZone</c>). The
/// API keeps UTC.
/// </summary>
public sealed class TimeZoneModel(SignInManager<PostmasterUser> signIn, IOptions<DisplayOptions> display) : PageModel
{
    /// <summary>The installation's zone, offered as the default choice.</summary>
    public string Default => TimeZones.NameOf(display.Value.Zone);

    /// <summary>The person's own choice; empty: the installation's.</summary>
    public string Chosen { get; private set; } = "";

    public string? Message { get; private set; }

    public bool MessageIsError { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (await signIn.UserManager.GetUserAsync(User) is not { } user)
        {
            return Challenge();
        }

        Chosen = user.TimeZone ?? "";
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string? zone)
    {
        if (await signIn.UserManager.GetUserAsync(User) is not { } user)
        {
            return Challenge();
        }

        var name = zone?.Trim() ?? "";
        if (name.Length > 0 && !TimeZones.TryFind(name, out _))
        {
            Chosen = user.TimeZone ?? "";
            (Message, MessageIsError) = ($"'{ColumnText.Fit(name, 40)}' is not a time zone this installation knows: choose one from the list (IANA names such as Europe/Berlin).", true);
            return Page();
        }

        user.TimeZone = name.Length == 0 ? null : name;
        var saved = await signIn.UserManager.UpdateAsync(user);
        if (!saved.Succeeded)
        {
            Chosen = user.TimeZone ?? "";
            (Message, MessageIsError) = (string.Join(" ", saved.Errors.Select(e => e.Description)), true);
            return Page();
        }

        // The zone travels in the sign-in's claims: issue this session's cookie again to carry it.
        await signIn.RefreshSignInAsync(user);
        Chosen = user.TimeZone ?? "";
        (Message, MessageIsError) = ($"Times are now shown in {(user.TimeZone ?? Default)}.", false);
        return Page();
    }
}
