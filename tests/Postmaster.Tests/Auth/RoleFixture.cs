using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Infrastructure.Auth;

namespace Postmaster.Tests.Auth;

/// <summary>
/// An app of its own (the role tests call every write) with a user, an API key and a signed-in
/// browser session per role.
/// </summary>
public sealed partial class RoleFixture : IAsyncLifetime
{
    public const string Password = "a long enough passphrase";

    private readonly string _dir = Directory.CreateTempSubdirectory("postmaster-roles-").FullName;
    private readonly Dictionary<RequiredRole, string> _keys = [];
    private readonly Dictionary<RequiredRole, HttpClient> _sessions = [];

    public PostmasterApp App { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        App = PostmasterApp.Sqlite(_dir, settings: new Dictionary<string, string?>
        {
            // Writes the test makes (a sweep, say) must not ask any real resolver: port 9 answers nothing.
            ["Postmaster:Dns:Servers:0"] = "127.0.0.1:9",
        });
        _ = App.Services;

        foreach (var (role, name) in new[] { (RequiredRole.Viewer, Roles.Viewer), (RequiredRole.Responder, Roles.Responder) })
        {
            await CreateUserAsync($"{name.ToLowerInvariant()}@postmaster.test", name);
            _keys[role] = await App.CreateApiKeyAsync(name, $"{name.ToLowerInvariant()}@postmaster.test");
            _sessions[role] = await SignInAsync($"{name.ToLowerInvariant()}@postmaster.test", Password);
        }

        _keys[RequiredRole.Admin] = PostmasterApp.AdminKey;
        _sessions[RequiredRole.Admin] = await SignInAsync(PostmasterApp.AdminEmail, PostmasterApp.AdminPassword);
    }

    public HttpClient Api(RequiredRole role) => App.Api(_keys[role]);

    /// <summary>A cookie session signed in through the real sign-in page.</summary>
    public HttpClient Session(RequiredRole role) => _sessions[role];

    public async Task<string> AntiforgeryTokenAsync(RequiredRole role, CancellationToken ct)
    {
        // The token belongs to the session, not to a page: any form's will do.
        var html = await Session(role).GetStringAsync("/Signals/Try", ct);
        return AntiforgeryField().Match(html) is { Success: true } m
            ? m.Groups[1].Value
            : throw new InvalidOperationException("The Try page carries no antiforgery token (no form on it?).");
    }

    private async Task CreateUserAsync(string email, string role)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PostmasterUser>>();
        var user = new PostmasterUser { UserName = email, Email = email, EmailConfirmed = true, CreatedAt = DateTimeOffset.UnixEpoch };
        var created = await users.CreateAsync(user, Password);
        if (!created.Succeeded)
        {
            throw new InvalidOperationException(string.Join(" ", created.Errors.Select(e => e.Description)));
        }

        await users.AddToRoleAsync(user, role);
    }

    private async Task<HttpClient> SignInAsync(string email, string password)
    {
        var client = App.Api(key: null);
        var form = await client.GetStringAsync("/login");
        using var post = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = email,
            ["Password"] = password,
            ["__RequestVerificationToken"] = AntiforgeryField().Match(form).Groups[1].Value,
        });
        var signedIn = await client.PostAsync("/login", post);
        if (signedIn.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Signing in as {email} answered {(int)signedIn.StatusCode}, not a redirect.");
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var session in _sessions.Values)
        {
            session.Dispose();
        }

        await App.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
