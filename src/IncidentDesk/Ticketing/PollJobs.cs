using IncidentDesk.Ticketing.Zendesk;
using Quartz;

namespace IncidentDesk.Ticketing;

/// <summary>Polls Zendesk: tickets with their metrics, then CSAT ratings.</summary>
[DisallowConcurrentExecution]
public sealed class PollZendeskJob(SourcePoller poller, ZendeskTicketSource tickets, ZendeskRatingSource ratings) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        await poller.PollAsync(tickets, cancellationToken);
        await poller.PollAsync(ratings, cancellationToken);
    }
}
