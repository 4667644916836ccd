using Postmaster.Core.Assets;
using Postmaster.Web.Assets;

namespace Postmaster.Bench.Incidents;

/// <summary>
/// The inventory and team the incidents belong to: a few thousand assets as an ESP might hold them
/// (dedicated IPs, ranges from /28 to /20, sending domains, HELO names), every value through the
/// app's own asset parser. Addresses are in 198.18.0.0/15 (RFC 2544 benchmarking space, which the
/// parser accepts); sources outside the inventory use the RFC 5737 documentation ranges.
/// </summary>
internal static class BenchInventory
{
    public const string Domain = "bench-mailer.net";

    private static readonly string[] Pools = ["transactional", "marketing", "shared", "dedicated-eu", "dedicated-us"];

    /// <summary>Responders who take incidents; the bench admin signs in and owns the API key.</summary>
    public static readonly string[] Responders =
        ["alice@bench-mailer.net", "bob@bench-mailer.net", "carol@bench-mailer.net", "dave@bench-mailer.net", "erin@bench-mailer.net"];

    /// <summary>Addresses that send through the inventory's ranges but were never added to it.</summary>
    public static readonly string[] OutsideNetworks = ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"];

    public static List<Asset> Assets(DateTimeOffset now)
    {
        var inputs = new List<(string Text, AssetKind? Kind, string? Label)>();
        for (var i = 0; i < 2400; i++)
        {
            inputs.Add(($"198.18.{i / 250}.{1 + (i % 250)}", null, $"mta-{i:D4}"));
        }

        for (var i = 0; i < 200; i++)
        {
            inputs.Add(($"198.19.{i}.0/24", null, $"block-{i:D3}"));
        }

        // Single addresses inside ranges the inventory also holds: the address is the group (PRODUCT.md).
        for (var i = 0; i < 60; i++)
        {
            inputs.Add(($"198.19.{i}.10", null, $"vip-{i:D2}"));
        }

        for (var i = 0; i < 96; i++)
        {
            inputs.Add(($"198.19.{200 + (i / 4)}.{(i % 4) * 64}/26", null, $"pool-{i:D2}"));
        }

        for (var i = 0; i < 32; i++)
        {
            inputs.Add(($"198.19.{230 + (i / 16)}.{(i % 16) * 16}/28", null, $"small-{i:D2}"));
        }

        for (var i = 0; i < 4; i++)
        {
            inputs.Add(($"198.18.{128 + (i * 16)}.0/20", null, $"warm-up-{i}"));
        }

        for (var i = 0; i < 300; i++)
        {
            inputs.Add(($"news{i}.{Domain}", AssetKind.Domain, $"brand-{i:D3}"));
        }

        for (var i = 0; i < 60; i++)
        {
            inputs.Add(($"out{i}.mta.{Domain}", AssetKind.Helo, null));
        }

        var assets = new List<Asset>(inputs.Count);
        for (var i = 0; i < inputs.Count; i++)
        {
            var (text, kind, label) = inputs[i];
            var parsed = AssetValue.Parse(text, kind);
            if (parsed.Asset is not { } value)
            {
                throw new InvalidOperationException($"The app's parser refused bench asset {text}: {parsed.Error}");
            }

            assets.Add(new Asset
            {
                Kind = value.Kind,
                Value = value.Value,
                Label = label,
                Pool = Pools[i % Pools.Length],
                Owner = i % 3 == 0 ? "deliverability team" : null,
                AddressCount = value.AddressCount,
                CreatedAt = now.AddDays(-400 + (i % 30)),
            });
        }

        return assets;
    }
}
