namespace Postmaster.Tests.Infrastructure;

/// <summary>
/// A real component a test needs (PostgreSQL, rbldnsd, Chromium). Outside CI a missing one is a
/// visible skip that says what to install; with CI=true it is a failure, so CI never goes green
/// by skipping.
/// </summary>
public static class Requirement
{
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static void Require(string? unavailableReason)
    {
        if (unavailableReason is null)
        {
            return;
        }

        if (InCi)
        {
            throw new InvalidOperationException($"CI=true and a required component is missing: {unavailableReason}");
        }

        Assert.Skip(unavailableReason);
    }

    public static string? FindExecutable(string name, params string[] extraDirectories)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in extraDirectories.Concat(path.Split(':', StringSplitOptions.RemoveEmptyEntries)))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
