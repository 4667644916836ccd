namespace Postmaster.Core.Posture;

/// <summary>
/// T-Online's postmaster rules (§4.1) want the sending host's name to lead to the operator's
/// website with an imprint (Impressum): this checks that the rDNS host's domain serves a page that
/// mentions one. Off unless <c>Postmaster:Posture:CheckWebsites</c>; then unknown, never pass.
/// </summary>
public static class WebsiteCheck
{
    private static readonly string[] ImprintWords = ["impressum", "imprint", "legal notice", "legal-notice", "mentions légales", "mentions-legales", "aviso legal"];

    public static async Task<PostureCheck> CheckAsync(AddressFacts facts, bool enabled, WebsiteProbe probe, IPostureDns dns, CancellationToken ct)
    {
        const string name = PostureCheckNames.Website;
        if (facts.Pointers.Status == DnsAnswerStatus.Failed)
        {
            return PostureCheck.Unknown(name, $"The PTR lookup of {facts.Ip} got no answer, so there is no host name to find a website from.",
                "Check that the resolver (Postmaster:Dns:Servers) answers, then refresh.");
        }

        if (facts.HostName is not { } host)
        {
            return PostureCheck.Fail(name, $"{facts.Ip} has no PTR name, so no website can be found from it (T-Online §4.1).",
                $"Have a PTR set for {facts.Ip} under your own domain, and serve a website with an imprint on that domain.");
        }

        var domain = AddressPosture.HostDomain(host);
        if (!enabled)
        {
            return PostureCheck.Unknown(name, $"Not checked: website checks are off (Postmaster:Posture:CheckWebsites). T-Online (§4.1) wants {domain}, the domain of {AddressPosture.Shown(host)}, to serve a website with an imprint.",
                $"Open https://{domain}/ yourself, or set Postmaster:Posture:CheckWebsites to true.");
        }

        var answer = await probe.GetAsync(new Uri($"https://{domain}/"), dns, followRedirects: true, ct);
        if (!answer.Succeeded && answer.StatusCode is null)
        {
            var plain = await probe.GetAsync(new Uri($"http://{domain}/"), dns, followRedirects: true, ct);
            answer = plain.Succeeded ? plain : answer;
        }

        return Judge(domain, answer);
    }

    /// <summary>A page that answers 2xx and mentions an imprint passes; one without it is a warning; none at all fails.</summary>
    public static PostureCheck Judge(string domain, WebsiteAnswer answer)
    {
        const string name = PostureCheckNames.Website;
        if (answer.DnsFailed && !answer.Succeeded)
        {
            return PostureCheck.Unknown(name, $"The address lookup for {domain} got no answer: {answer.Error}.", "Check that the resolver (Postmaster:Dns:Servers) answers, then refresh.");
        }

        if (!answer.Succeeded)
        {
            return PostureCheck.Fail(name, $"No website at {domain}: {answer.Error}.",
                $"Serve a website at https://{domain}/ with your company's details and a link to the imprint (Impressum): T-Online asks for it (§4.1).");
        }

        var body = answer.Body!;
        if (!ImprintWords.Any(w => body.Contains(w, StringComparison.OrdinalIgnoreCase)))
        {
            return PostureCheck.Warn(name, $"{answer.Address} answers, but the page mentions no imprint (Impressum).",
                $"Link the imprint from the start page of {domain}: T-Online wants immediate contact details reachable from the host name (§4.1).");
        }

        return PostureCheck.Pass(name, $"{answer.Address} answers and links an imprint.");
    }
}
