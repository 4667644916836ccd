using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Postmaster.Web.Audit;
using Postmaster.Web.Infrastructure.Auth;

namespace Postmaster.Web.Account;

public sealed class LogoutModel(SignInManager<PostmasterUser> signIn, AuditTrail audit) : PageModel
{
    public IActionResult OnGet() => Redirect("/");

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await audit.RecordAsync(AuditActions.SignOut, User.Identity?.Name, null, ct);
        await signIn.SignOutAsync();
        return Redirect("/login");
    }
}
