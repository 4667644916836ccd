using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Postmaster.Web.Infrastructure.Auth;

namespace Postmaster.Web.Account;

public sealed class LoginModel(SignInManager<PostmasterUser> signIn, SetupToken setup) : PageModel
{
    [BindProperty]
    public string Email { get; set; } = "";

    [BindProperty]
    public string Password { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    public bool SetupPending => setup.IsActive;

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var result = await signIn.PasswordSignInAsync(Email.Trim(), Password, isPersistent: true, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            // Only local return URLs: a crafted link must not bounce a fresh session elsewhere.
            return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/");
        }

        Error = result.IsLockedOut
            ? "Too many failed attempts: this account is locked for a few minutes."
            : "That email and password do not match an account.";
        return Page();
    }
}
