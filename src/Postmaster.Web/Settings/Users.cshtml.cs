using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Postmaster.Web.Infrastructure.Auth;

namespace Postmaster.Web.Settings;

public sealed class UsersModel(UserManager<PostmasterUser> users, TimeProvider time) : PageModel
{
    public sealed record UserRow(string Id, string? Email, string Role, DateTimeOffset CreatedAt);

    public IReadOnlyList<UserRow> Users { get; private set; } = [];

    public string? Message { get; private set; }

    public bool MessageIsError { get; private set; }

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostCreateAsync(string? email, string? password, string? role)
    {
        if (!Roles.IsKnown(role))
        {
            (Message, MessageIsError) = ($"Pick a role: {string.Join(", ", Roles.All)}.", true);
        }
        else
        {
            var user = new PostmasterUser { UserName = email?.Trim(), Email = email?.Trim(), EmailConfirmed = true, CreatedAt = time.GetUtcNow() };
            var created = await users.CreateAsync(user, password ?? "");
            if (created.Succeeded)
            {
                await users.AddToRoleAsync(user, role!);
                (Message, MessageIsError) = ($"Created {user.Email} as {role}.", false);
            }
            else
            {
                (Message, MessageIsError) = (string.Join(" ", created.Errors.Select(e => e.Description)), true);
            }
        }

        await LoadAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostDeleteAsync(string id)
    {
        var user = await users.FindByIdAsync(id);
        if (user is not null && user.Email != User.Identity?.Name)
        {
            await users.DeleteAsync(user);
            (Message, MessageIsError) = ($"Removed {user.Email}.", false);
        }

        await LoadAsync();
        return Page();
    }

    private async Task LoadAsync()
    {
        var rows = new List<UserRow>();
        foreach (var user in await users.Users.OrderBy(u => u.Email).ToListAsync())
        {
            var roles = await users.GetRolesAsync(user);
            rows.Add(new UserRow(user.Id, user.Email, roles.FirstOrDefault() ?? "none", user.CreatedAt));
        }

        Users = rows;
    }
}
