using Microsoft.Playwright;

namespace Postmaster.Tests.Infrastructure;

/// <summary>
/// A real app on Kestrel with a SQLite database of its own, and headless Chromium signed in as the
/// bootstrap admin. Subclasses start the app with whatever else their pages need.
/// </summary>
public abstract class BrowserTest : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("postmaster-browser-").FullName;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    protected PostmasterApp? App { get; private set; }

    /// <summary>Why this test cannot run here, if it cannot (Chromium and anything the subclass needs).</summary>
    protected virtual string? UnavailableReason => Chromium.UnavailableReason;

    public async ValueTask InitializeAsync()
    {
        if (UnavailableReason is not null && !Requirement.InCi)
        {
            return;
        }

        App = await StartAppAsync(_dir);
        _ = App.ServerAddress;
        (_playwright, _browser) = await Chromium.LaunchAsync();
    }

    protected virtual Task<PostmasterApp> StartAppAsync(string dataDirectory) =>
        Task.FromResult(PostmasterApp.Sqlite(dataDirectory, kestrel: true));

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        await DisposeMoreAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
        GC.SuppressFinalize(this);
    }

    protected virtual ValueTask DisposeMoreAsync() => ValueTask.CompletedTask;

    /// <summary>Opens <paramref name="path"/>, signs in (as the bootstrap admin unless told) on the login page it redirects to, and lands back on it.</summary>
    protected async Task<IPage> SignInAsync(string path, string email = PostmasterApp.AdminEmail, string password = PostmasterApp.AdminPassword)
    {
        Requirement.Require(UnavailableReason);
        var page = await _browser!.NewPageAsync(new BrowserNewPageOptions { BaseURL = App!.ServerAddress.ToString() });

        // A loaded CI machine can be slow; waits end as soon as the page is there, so a long limit costs nothing.
        page.SetDefaultTimeout(60_000);
        await page.GotoAsync(path);
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        await page.ClickAsync("button[type=submit]");
        try
        {
            await page.WaitForURLAsync("**" + path, new PageWaitForURLOptions { WaitUntil = WaitUntilState.Commit });
        }
        catch (TimeoutException e)
        {
            // Rare on a loaded machine; say where the browser ended up, so the next failure can be read.
            var text = await page.InnerTextAsync("body", new PageInnerTextOptions { Timeout = 5_000 }).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : "(no body)", TaskScheduler.Default);
            throw new TimeoutException($"Signing in did not land on {path}: the browser is at {page.Url}, showing: {text[..Math.Min(text.Length, 500)]}", e);
        }

        return page;
    }
}
