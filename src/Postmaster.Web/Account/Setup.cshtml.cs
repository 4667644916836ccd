using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Postmaster.Web.Audit;
using Postmaster.Web.Infrastructure.Auth;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Account;

/// <summary>First run without a configured admin: the token from the log lets one visitor create it.</summary>
public sealed class SetupModel(
    UserManager<PostmasterUser> users,
    SignInManager<PostmasterUser> signIn,
    SetupToken setup,
    PostmasterDbContext db,
    AuditTrail audit,
    TimeProvider time) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Token { get; set; }

    [BindProperty]
    public string Email { get; set; } = "";

    [BindProperty]
    public string Password { get; set; } = "";

    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync() => await Allowed() ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync()
    {
        if (!await Allowed())
        {
            return NotFound();
        }

        var user = new PostmasterUser { UserName = Email.Trim(), Email = Email.Trim(), EmailConfirmed = true, CreatedAt = time.GetUtcNow() };
        var created = await users.CreateAsync(user, Password);
        if (!created.Succeeded)
        {
            Error = string.Join(" ", created.Errors.Select(e => e.Description));
            return Page();
        }

        await users.AddToRoleAsync(user, Roles.Admin);
        setup.Retire();

        // A bootstrap API key seeded before anyone existed belongs to this first admin.
        await ApiKeyOwners.AdoptOrphansAsync(db, user.Email, HttpContext.RequestAborted);
        await signIn.SignInAsync(user, isPersistent: false);
        await audit.RecordAsAsync(AuditTrail.UserActor(user.Email), AuditActions.UserCreated, user.Email, "first admin, by the setup link", HttpContext.RequestAborted);
        return Redirect("/");
    }

    // 404 rather than 403: without the token there is nothing here to find.
    private async Task<bool> Allowed() => setup.Matches(Token) && !await users.Users.AnyAsync();
}
