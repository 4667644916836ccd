using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Postmaster.Core.Signals.Probes;

/// <summary>What to probe, from where, as whom.</summary>
public sealed record SmtpProbeRequest
{
    /// <summary>The MX host name or IP address literal.</summary>
    public required string Host { get; init; }

    public int Port { get; init; } = 25;

    /// <summary>The local address to connect from; null lets the operating system choose.</summary>
    public IPAddress? SourceIp { get; init; }

    /// <summary>The name sent with EHLO: the source IP's PTR name, as receivers check it.</summary>
    public required string HeloName { get; init; }

    /// <summary>The envelope sender; empty for the null sender (MAIL FROM:&lt;&gt;).</summary>
    public string MailFrom { get; init; } = "";

    public required string Recipient { get; init; }

    /// <summary>How long to wait for the connection and for each reply.</summary>
    public TimeSpan StepTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the whole conversation may take, QUIT included.</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromMinutes(2);
}

/// <summary>
/// An active SMTP probe: connects from a chosen source IP to an MX and goes as far as RCPT TO
/// (greeting, EHLO, MAIL FROM, RCPT TO, QUIT), never DATA, so no message is ever sent. The first
/// reply that is not 2xx decides; QUIT is still sent while the connection is usable. A hostile or
/// broken server (silent, endless lines, binary garbage, closing early) ends as a
/// <see cref="ProbeVerdict.Failed"/> result within the step timeout and deadline, never as a hang
/// or an exception; only the caller's own cancellation throws.
/// </summary>
public static class SmtpProbe
{
    /// <summary>The longest wait for the answer to QUIT: the verdict is known by then.</summary>
    public static readonly TimeSpan QuitTimeout = TimeSpan.FromSeconds(5);

    public static async Task<SmtpProbeResult> RunAsync(SmtpProbeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        CheckArgument(request.Host, nameof(request.Host), allowEmpty: false);
        CheckArgument(request.HeloName, nameof(request.HeloName), allowEmpty: false);
        CheckArgument(request.MailFrom, nameof(request.MailFrom), allowEmpty: true);
        CheckArgument(request.Recipient, nameof(request.Recipient), allowEmpty: false);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(request.StepTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(request.Deadline, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.Port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(request.Port, 65_535);

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(request.Deadline);
        var conversation = new Conversation(request, deadline, cancellationToken);
        return await conversation.RunAsync();
    }

    private static void CheckArgument(string value, string name, bool allowEmpty)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        if ((!allowEmpty && value.Length == 0) || value.Length > 320 || value.Any(c => char.IsControl(c) || char.IsWhiteSpace(c) || c is '<' or '>'))
        {
            throw new ArgumentException($"'{value}' cannot be sent in an SMTP command: empty, too long, or with spaces, angle brackets or control characters.", name);
        }
    }

    private sealed class Conversation(SmtpProbeRequest request, CancellationTokenSource deadline, CancellationToken callerToken)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly List<string> _transcript = [];
        private IPEndPoint? _local;
        private IPEndPoint? _remote;

        public async Task<SmtpProbeResult> RunAsync()
        {
            var (address, resolveError) = await ResolveAsync();
            if (address is null)
            {
                return Result(ProbeStep.Connect, ProbeVerdict.LocalError, error: resolveError);
            }

            _remote = new IPEndPoint(address, request.Port);
            using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            if (request.SourceIp is not null)
            {
                try
                {
                    socket.Bind(new IPEndPoint(request.SourceIp, 0));
                }
                catch (SocketException e)
                {
                    return Result(ProbeStep.Connect, ProbeVerdict.LocalError, error: $"cannot use {request.SourceIp} as the source address: {e.Message}");
                }
            }

            try
            {
                using var step = Step();
                await socket.ConnectAsync(_remote, step.Token);
                _local = socket.LocalEndPoint as IPEndPoint;
            }
            catch (OperationCanceledException) when (!callerToken.IsCancellationRequested)
            {
                return Result(ProbeStep.Connect, ProbeVerdict.Failed, error: $"connect to {Remote}: {TimedOut()}");
            }
            catch (SocketException e)
            {
                return Result(ProbeStep.Connect, ProbeVerdict.Failed, error: $"connect to {Remote}: {e.Message}");
            }

            await using var stream = new NetworkStream(socket, ownsSocket: false);
            var reader = new SmtpReplyReader(stream);
            var decided = await ConverseAsync(stream, reader);
            if (decided.Code is not null)
            {
                await QuitAsync(stream, reader);
            }

            return decided with { Elapsed = _clock.Elapsed, Transcript = _transcript.ToList() };
        }

        private async Task<SmtpProbeResult> ConverseAsync(NetworkStream stream, SmtpReplyReader reader)
        {
            var steps = new (ProbeStep Step, string? Command)[]
            {
                (ProbeStep.Greeting, null),
                (ProbeStep.Ehlo, $"EHLO {request.HeloName}"),
                (ProbeStep.MailFrom, $"MAIL FROM:<{request.MailFrom}>"),
                (ProbeStep.RcptTo, $"RCPT TO:<{request.Recipient}>"),
            };
            foreach (var (step, command) in steps)
            {
                var (reply, error) = await ExchangeAsync(stream, reader, command, Describe(step));
                if (reply is null)
                {
                    return Result(step, ProbeVerdict.Failed, error: error);
                }

                if (reply.IsPositive && step == ProbeStep.RcptTo)
                {
                    return Result(step, ProbeVerdict.Accepted, reply);
                }

                if (!reply.IsPositive)
                {
                    return reply.Code switch
                    {
                        >= 500 => Result(step, ProbeVerdict.Rejected, reply),
                        >= 400 => Result(step, ProbeVerdict.Deferred, reply),
                        _ => Result(step, ProbeVerdict.Failed, reply, $"unexpected reply {reply.Code} {Describe(step)}"),
                    };
                }
            }

            throw new UnreachableException("RCPT TO decides every conversation that gets that far.");
        }

        /// <summary>QUIT, politely: the verdict is already known, so any failure here is ignored.</summary>
        private async Task QuitAsync(NetworkStream stream, SmtpReplyReader reader)
        {
            using var quit = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
            quit.CancelAfter(request.StepTimeout < QuitTimeout ? request.StepTimeout : QuitTimeout);
            try
            {
                await SendAsync(stream, "QUIT", quit.Token);
                var (reply, _) = await reader.ReadReplyAsync(quit.Token);
                if (reply is not null)
                {
                    Record(reply);
                }
            }
            catch (OperationCanceledException) when (!callerToken.IsCancellationRequested)
            {
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
            }
        }

        private async Task<(SmtpReply? Reply, string? Error)> ExchangeAsync(NetworkStream stream, SmtpReplyReader reader, string? command, string waitingFor)
        {
            using var step = Step();
            try
            {
                if (command is not null)
                {
                    await SendAsync(stream, command, step.Token);
                }

                var (reply, error) = await reader.ReadReplyAsync(step.Token);
                if (reply is not null)
                {
                    Record(reply);
                    return (reply, null);
                }

                return (null, $"{error} {waitingFor}");
            }
            catch (OperationCanceledException) when (!callerToken.IsCancellationRequested)
            {
                return (null, $"conversation with {Remote} {TimedOut()} {waitingFor}");
            }
            catch (Exception e) when (e is IOException or SocketException)
            {
                return (null, $"lost connection with {Remote} {waitingFor}: {(e.InnerException ?? e).Message}");
            }
        }

        private async Task SendAsync(NetworkStream stream, string command, CancellationToken ct)
        {
            _transcript.Add("C: " + command);
            await stream.WriteAsync(Encoding.UTF8.GetBytes(command + "\r\n"), ct);
        }

        private void Record(SmtpReply reply) => _transcript.AddRange(reply.Lines.Select(l => "S: " + l));

        private async Task<(IPAddress? Address, string? Error)> ResolveAsync()
        {
            if (IPAddress.TryParse(request.Host, out var literal))
            {
                return (literal, null);
            }

            try
            {
                using var step = Step();
                var addresses = await Dns.GetHostAddressesAsync(request.Host, step.Token);
                var family = request.SourceIp?.AddressFamily;
                var address = addresses.FirstOrDefault(a => family is null ? a.AddressFamily == AddressFamily.InterNetwork : a.AddressFamily == family)
                    ?? (family is null ? addresses.FirstOrDefault() : null);
                return address is null
                    ? (null, $"{request.Host} has no {(family == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4")} address to connect to from {request.SourceIp}")
                    : (address, null);
            }
            catch (OperationCanceledException) when (!callerToken.IsCancellationRequested)
            {
                return (null, $"looking up {request.Host} {TimedOut()}");
            }
            catch (SocketException e)
            {
                return (null, $"cannot resolve {request.Host}: {e.Message}");
            }
        }

        private CancellationTokenSource Step()
        {
            var step = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
            step.CancelAfter(request.StepTimeout);
            return step;
        }

        private string TimedOut() => deadline.IsCancellationRequested
            ? $"timed out: the probe's deadline of {request.Deadline.TotalSeconds:0.#} s passed"
            : $"timed out after {request.StepTimeout.TotalSeconds:0.#} s";

        private string Remote => $"{request.Host}[{_remote?.Address}]:{request.Port}";

        private static string Describe(ProbeStep step) => step switch
        {
            ProbeStep.Greeting => "while receiving the initial server greeting",
            ProbeStep.Ehlo => "in reply to EHLO",
            ProbeStep.MailFrom => "in reply to MAIL FROM",
            _ => "in reply to RCPT TO",
        };

        private SmtpProbeResult Result(ProbeStep step, ProbeVerdict verdict, SmtpReply? reply = null, string? error = null) => new()
        {
            Step = step,
            Verdict = verdict,
            Code = reply?.Code,
            EnhancedCode = reply?.EnhancedCode,
            Reply = reply?.Text,
            Error = error,
            LocalEndPoint = _local,
            RemoteEndPoint = _remote,
            Elapsed = _clock.Elapsed,
            Transcript = _transcript.ToList(),
        };
    }
}
