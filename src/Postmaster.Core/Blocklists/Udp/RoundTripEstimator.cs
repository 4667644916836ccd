namespace Postmaster.Core.Blocklists.Udp;

/// <summary>
/// Smoothed round-trip time and its variation, as TCP keeps them (RFC 6298 §2), to tell a lost
/// datagram from a slow answer. Until the first answer the retry delay is the full timeout, so a
/// resolver that never answers is asked exactly as often as configured. Not thread-safe: the
/// pipeline calls it under its lock.
/// </summary>
public sealed class RoundTripEstimator(TimeSpan minimum, TimeSpan maximum)
{
    private readonly double _minimum = minimum.TotalMilliseconds;
    private readonly double _maximum = maximum.TotalMilliseconds;
    private double _smoothed = -1;
    private double _variation;

    public TimeSpan RetryDelay { get; private set; } = maximum;

    public void Add(TimeSpan sample)
    {
        var r = sample.TotalMilliseconds;
        if (_smoothed < 0)
        {
            (_smoothed, _variation) = (r, r / 2);
        }
        else
        {
            _variation = (0.75 * _variation) + (0.25 * Math.Abs(_smoothed - r));
            _smoothed = (0.875 * _smoothed) + (0.125 * r);
        }

        RetryDelay = TimeSpan.FromMilliseconds(Math.Clamp(_smoothed + (4 * _variation), _minimum, _maximum));
    }
}
