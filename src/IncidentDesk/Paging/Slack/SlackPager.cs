using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace IncidentDesk.Paging.Slack;

/// <summary>Pages into the configured channel, mentioning the person, with an Acknowledge button.</summary>
public sealed class SlackPager(SlackClient slack, IOptions<SlackOptions> options, IOptions<PagingOptions> paging, OnCall.OnCallDirectory onCall) : IPager, IAckNotifier
{
    /// <summary>Slack errors that retrying the same request will not fix.</summary>
    private static readonly HashSet<string> Permanent = ["channel_not_found", "not_in_channel", "is_archived", "invalid_auth", "not_authed", "account_inactive", "token_revoked", "user_not_found", "invalid_blocks", "msg_too_long"];

    public string Channel => "slack";

    public async Task<PageOutcome> SendAsync(PageMessage page, CancellationToken ct)
    {
        var channel = options.Value.Channel;
        if (page.InDoubt)
        {
            // A previous claim may have posted it before dying: look before posting again.
            var (lookup, ts) = await slack.FindPageAsync(channel, page.CreatedAt.AddMinutes(-1), page.IdempotencyKey, ct);
            if (!lookup.Ok)
                return Outcome(lookup);
            if (ts is not null)
                return PageOutcome.Sent(channel, ts);
        }
        var text = $":rotating_light: [{page.Severity}] Incident #{page.IncidentId}: {page.Title} — <@{page.Address}>, please acknowledge within {PagingOptions.Describe(onCall.AckTimeout(page.Level, paging.Value.AckTimeout))}."
            + (page.Attempt > 1 ? $" (repeat {page.Attempt}, level {page.Level})" : "");
        var blocks = new JsonArray
        {
            new JsonObject { ["type"] = "section", ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = text + (page.Summary is null ? "" : "\n" + page.Summary) } },
            new JsonObject
            {
                ["type"] = "actions",
                ["elements"] = new JsonArray
                {
                    new JsonObject
                    {
                        ["type"] = "button", ["action_id"] = "ack", ["style"] = "primary",
                        ["value"] = page.IncidentId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = "Acknowledge" },
                    },
                },
            },
        };
        var result = await slack.PostMessageAsync(channel, text, blocks, page.IdempotencyKey, page.IncidentId, ct);
        return result.Ok
            ? PageOutcome.Sent(result.Body?["channel"]?.GetValue<string>() ?? channel, result.Body?["ts"]?.GetValue<string>())
            : Outcome(result);
    }

    public async Task<PageOutcome> MarkAcknowledgedAsync(string channel, string ts, long incidentId, string title, string acknowledgedBy, CancellationToken ct)
    {
        var text = $":white_check_mark: Incident #{incidentId}: {title} — acknowledged by {acknowledgedBy}.";
        var blocks = new JsonArray { new JsonObject { ["type"] = "section", ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = text } } };
        var result = await slack.UpdateAsync(channel, ts, text, blocks, ct);
        // A message that is gone cannot be edited; there is nothing left to do for it.
        return result.Ok || result.Error is "message_not_found" or "cant_update_message" ? PageOutcome.Sent() : Outcome(result);
    }

    private static PageOutcome Outcome(SlackResult result) =>
        PageOutcome.Failed("slack: " + result.Error, permanent: result.Error is not null && Permanent.Contains(result.Error), inDoubt: result.InDoubt, retryAfter: result.RetryAfter);

}
