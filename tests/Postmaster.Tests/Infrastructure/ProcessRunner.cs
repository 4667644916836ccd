using System.Diagnostics;

namespace Postmaster.Tests.Infrastructure;

/// <summary>Runs a helper program (initdb, pg_ctl, …) with arguments as a list: nothing goes through a shell.</summary>
public static class ProcessRunner
{
    public static async Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var info = StartInfo(file, arguments);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', info.ArgumentList)} did not finish within {timeout}.");
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>No shell, arguments one by one, stdout and stderr captured.</summary>
    public static ProcessStartInfo StartInfo(string file, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }

    public static int FreeLoopbackPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
