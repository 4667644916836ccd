using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Postmaster.Web.Audit;
using Postmaster.Web.Infrastructure.Auth;

namespace Postmaster.Web.Account;

/// <summary>A signed-in person changes their own password; a new security stamp ends their other sessions.</summary>
public sealed class PasswordModel(SignInManager<PostmasterUser> signIn, AuditTrail audit) : PageModel
{
    public string? Message { get; private set; }

    public bool MessageIsError { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(string? current, string? @new, CancellationToken ct)
    {
        var users = signIn.UserManager;
        if (await users.GetUserAsync(User) is not { } user)
        {
            return Challenge();
        }

        var changed = await users.ChangePasswordAsync(user, current ?? "", @new ?? "");
        if (!changed.Succeeded)
        {
            (Message, MessageIsError) = (string.Join(" ", changed.Errors.Select(e => e.Description)), true);
            return Page();
        }

        // The stamp changed: re-issue this session's cookie so only the others end.
        await signIn.RefreshSignInAsync(user);
        await audit.RecordAsync(AuditActions.PasswordChanged, user.Email, null, ct);
        (Message, MessageIsError) = ("Password changed.", false);
        return Page();
    }
}
