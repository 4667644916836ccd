using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Postmaster.Web.Audit;
using Postmaster.Web.Infrastructure.Auth;
using SignInResult = Microsoft.AspNetCore.Identity.SignInResult;

namespace Postmaster.Web.Account;

public sealed class LoginModel(
    SignInManager<PostmasterUser> signIn,
    DecoyPassword decoy,
    SetupToken setup,
    AuditTrail audit,
    ILogger<LoginModel> log) : PageModel
{
    // One answer for every failure: whether an email has an account is nobody's business.
    public const string Failed = "That email and password do not match an account.";

    [BindProperty]
    public string Email { get; set; } = "";

    [BindProperty]
    public string Password { get; set; } = "";

    /// <summary>Keep the session after the browser closes; off unless the person asks.</summary>
    [BindProperty]
    public bool RememberMe { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    public bool SetupPending => setup.IsActive;

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var email = Email.Trim();
        if (email.Length > 256)
        {
            email = email[..256];
        }

        var address = HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var user = await signIn.UserManager.FindByNameAsync(email);
        SignInResult result;
        if (user is null)
        {
            decoy.Check(Password);
            result = SignInResult.Failed;
        }
        else
        {
            result = await signIn.PasswordSignInAsync(user, Password, RememberMe, lockoutOnFailure: false);
        }

        if (result.Succeeded)
        {
            log.LogInformation("{Email} signed in from {ClientAddress}", user!.Email, address);
            await audit.RecordAsAsync(AuditTrail.UserActor(user.Email), AuditActions.SignIn, user.Email, RememberMe ? "remembered" : null, ct);

            // Only local return URLs: a crafted link must not bounce a fresh session elsewhere.
            return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/");
        }

        // The reason goes to the log only; the page says the same for every failure.
        var reason = user is null ? "unknown email" : result.IsLockedOut ? "account locked" : result.IsNotAllowed ? "not allowed" : "wrong password";
        log.LogWarning("Failed sign-in for {Email} from {ClientAddress}: {Reason}", email, address, reason);
        await audit.RecordAsync(AuditActions.SignInFailed, email, null, ct);
        Error = Failed;
        return Page();
    }
}
