using System.Diagnostics;
using System.Text;

namespace Postmaster.Tests.Infrastructure;

/// <summary>
/// A test server (rbldnsd, dovecot) started in the foreground with its arguments as a list (nothing
/// goes through a shell), its output kept for the message when it fails to start, and stopped by
/// its own PID only.
/// </summary>
internal sealed class ServerProcess
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>What it printed on stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString().Trim();
            }
        }
    }

    public static ServerProcess Start(string executable, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = ProcessRunner.StartInfo(executable, arguments);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var server = new ServerProcess(new Process { StartInfo = info });
        server._process.OutputDataReceived += (_, e) => server.Append(e.Data);
        server._process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        if (!server._process.Start())
        {
            server._process.Dispose();
            throw new InvalidOperationException($"Could not start {executable}.");
        }

        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        return server;
    }

    /// <summary>After it exited: waits for the output readers to flush.</summary>
    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    /// <summary>Kills it (and, with <paramref name="entireProcessTree"/>, the helpers it forked) and waits up to 10 s.</summary>
    public async Task StopAsync(bool entireProcessTree)
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree);
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        finally
        {
            _process.Dispose();
        }
    }

    /// <summary>Deletes a server's temp folder; a leftover one is harmless.</summary>
    public static void DeleteDirectory(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
