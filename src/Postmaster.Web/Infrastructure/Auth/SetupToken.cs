using System.Security.Cryptography;
using System.Text;

namespace Postmaster.Web.Infrastructure.Auth;

/// <summary>
/// The one-time token that protects /setup on a database with no users. It lives in memory only
/// and is written to the log at start-up, so only someone who can read the server's log can claim it.
/// </summary>
public sealed class SetupToken
{
    private string? _value;

    public bool IsActive => _value is not null;

    public string Issue()
    {
        _value = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        return _value;
    }

    public bool Matches(string? candidate) =>
        _value is { } value && candidate is not null &&
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(value), Encoding.UTF8.GetBytes(candidate));

    public void Retire() => _value = null;
}
