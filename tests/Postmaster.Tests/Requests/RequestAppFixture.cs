using Postmaster.Tests.Infrastructure;

namespace Postmaster.Tests.Requests;

/// <summary>One app on SQLite for a request test class, reading the test templates (<see cref="RequestTestTemplates"/>).</summary>
public class RequestAppFixture : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("postmaster-requests-").FullName;
    private readonly TemplateFolder _templates = RequestTestTemplates.Create();
    private PostmasterApp? _app;

    public PostmasterApp App => _app ?? throw new InvalidOperationException("Not started.");

    public string DataDirectory => _data;

    public string TemplatesDirectory => _templates.Root;

    /// <summary>Settings of the class on top of the templates folder (an SMTP relay, a mailbox).</summary>
    protected virtual Dictionary<string, string?> Settings() => [];

    public virtual async ValueTask InitializeAsync()
    {
        _app = Start();
        _ = _app.Services;
        await Task.CompletedTask;
    }

    public PostmasterApp Start(IReadOnlyDictionary<string, string?>? extra = null)
    {
        var settings = Settings();
        settings["Postmaster:TemplatesDirectory"] = _templates.Root;
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return PostmasterApp.Sqlite(_data, settings: settings);
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
        _templates.Dispose();
        GC.SuppressFinalize(this);
    }
}
