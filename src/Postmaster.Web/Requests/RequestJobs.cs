using Quartz;

namespace Postmaster.Web.Requests;

/// <summary>Reads provider replies from the request mailbox; an unreachable mailbox is logged, and polling goes on.</summary>
[DisallowConcurrentExecution]
public sealed class RequestReplyPollJob(RequestReplyPoller poller, ILogger<RequestReplyPollJob> log) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await poller.PollAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            log.LogWarning(e, "Reply mailbox poll failed");
        }
    }
}
