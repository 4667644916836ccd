using Postmaster.Core.Requests;
using Postmaster.Tests.Infrastructure;

namespace Postmaster.Tests.Requests;

/// <summary>A broken request template stops the app at start-up, with the file and line to fix; it never waits for someone to draft.</summary>
public sealed class RequestTemplateStartupTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("postmaster-template-start-").FullName;
    private readonly TemplateFolder _folder = new();

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
        _folder.Dispose();
    }

    [Fact]
    public async Task The_app_refuses_to_start_with_a_template_that_uses_a_name_the_model_lacks()
    {
        foreach (var file in Directory.EnumerateFiles(RepoPaths.Templates, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(_folder.Root, Path.GetRelativePath(RepoPaths.Templates, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        var (_, liquid) = _folder.Write("microsoft", "broken", TemplateFolder.Email(), "Hello,\n\nour IP is {{ incident.sourceIp }}.\n");
        await using var app = PostmasterApp.Sqlite(_data, settings: new Dictionary<string, string?> { ["Postmaster:TemplatesDirectory"] = _folder.Root });

        var error = Assert.Throws<RequestTemplateException>(() => app.Services);

        Assert.Contains($"{liquid}, line 3: the body: Undefined variable 'sourceIp'", error.Message, StringComparison.Ordinal);
        Assert.Contains(app.Logs, l => l.StartsWith("Postmaster cannot start: 1 request template problem", StringComparison.Ordinal));
    }
}
