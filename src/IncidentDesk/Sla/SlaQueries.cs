namespace IncidentDesk.Sla;

/// <summary>
/// The SQL of each rule kind. One aggregate per kind over a list of time ranges [lo, hi): the rollup
/// maintenance passes dirty buckets, the evaluation passes a window's two partial edge buckets, and the
/// benchmark's naive baseline passes the whole window, so all three count exactly the same way.
/// Every aggregate returns (bucket = range start, channel, samples, hits, extra):
/// <list type="bullet">
/// <item>response_within / first_response_time: answered tickets by created_at; hits = answered within the
/// threshold (business or calendar seconds, minus reported on-hold time). Unanswered tickets are not in
/// the rollups: <see cref="Unanswered"/> counts the overdue ones live, because they become overdue with time.</item>
/// <item>csat: ratings by rated_at joined to their contact for the scope; hits = good.</item>
/// <item>agent_error_escalations: tickets by created_at; hits = escalated because of an agent error.</item>
/// <item>phone_service_level: calls with an outcome (answered or abandoned) and a known wait; hits = answered within
/// N s; extra = abandoned; plus queue statistics windows split at N s (answered + canceled tasks, answered below N s,
/// canceled).</item>
/// <item>out_of_hours_share: every contact; hits = created outside business hours; extra = those that are critical.</item>
/// </list>
/// </summary>
internal static class SlaQueries
{
    private const string Scope = """
        (cardinality(@channels) = 0 OR c.channel = ANY(@channels))
        AND (cardinality(@priorities) = 0 OR c.priority = ANY(@priorities))
        AND (cardinality(@sources) = 0 OR c.source = ANY(@sources))
        AND (cardinality(@queues) = 0 OR c.queue = ANY(@queues))
        """;

    private const string ChannelLabel = "CASE WHEN @per_channel THEN c.channel ELSE 'all' END";

    // Seconds to first response: business seconds in the rule's calendar, or wall-clock seconds; the
    // source's reported on-hold time is not the desk's to answer for.
    private const string ResponseSeconds = """
        greatest(0, CASE WHEN @calendar::text IS NULL THEN extract(epoch FROM c.first_response_at - c.created_at)::double precision
                         ELSE sla_business_seconds(@calendar, c.created_at, c.first_response_at) END
                    - CASE WHEN @exclude_paused THEN coalesce(c.on_hold_seconds, 0) ELSE 0 END)
        """;

    private const string AgeSeconds = """
        greatest(0, CASE WHEN @calendar::text IS NULL THEN extract(epoch FROM @now - c.created_at)::double precision
                         ELSE sla_business_seconds(@calendar, c.created_at, @now) END
                    - CASE WHEN @exclude_paused THEN coalesce(c.on_hold_seconds, 0) ELSE 0 END)
        """;

    private const string Ranges = "unnest(@lo::timestamptz[], @hi::timestamptz[]) AS r(lo, hi)";

    // One index range scan per range. As a plain join the planner cannot see how narrow the ranges are
    // and scans every contact of the channel, filtering by range (measured: 900 ms instead of 30 ms for
    // 24 hours on 1M contacts). OFFSET 0 keeps the subquery from being flattened back into that join.
    private const string ContactsIn = "SELECT * FROM contacts c WHERE c.created_at >= r.lo AND c.created_at < r.hi OFFSET 0";

    // Queue statistics windows shaped like calls for the scope: channel phone, the TaskRouter queue as the queue.
    private const string QueueWindowsIn = """
        SELECT q.*, 'phone'::text AS channel, NULL::text AS priority, q.queue_sid AS queue
        FROM queue_statistics q WHERE q.window_start >= r.lo AND q.window_start < r.hi OFFSET 0
        """;

    public static string Aggregate(SlaRuleKind kind) => kind switch
    {
        SlaRuleKind.ResponseWithin or SlaRuleKind.FirstResponseTime => $"""
            SELECT r.lo AS Bucket, {ChannelLabel} AS Channel, count(*) AS Samples,
                   count(*) FILTER (WHERE {ResponseSeconds} <= @threshold) AS Hits, 0::bigint AS Extra
            FROM {Ranges}
            CROSS JOIN LATERAL ({ContactsIn}) c
            WHERE c.kind = 'ticket' AND c.first_response_at IS NOT NULL AND {Scope}
            GROUP BY 1, 2
            """,
        SlaRuleKind.Csat => $"""
            SELECT r.lo AS Bucket, {ChannelLabel} AS Channel, count(*) AS Samples,
                   count(*) FILTER (WHERE x.rating = 'good') AS Hits, 0::bigint AS Extra
            FROM {Ranges}
            CROSS JOIN LATERAL (SELECT * FROM contact_ratings x WHERE x.rated_at >= r.lo AND x.rated_at < r.hi OFFSET 0) x
            JOIN contacts c ON c.source = x.source AND c.external_id = x.external_id
            WHERE {Scope}
            GROUP BY 1, 2
            """,
        SlaRuleKind.AgentErrorEscalations => $"""
            SELECT r.lo AS Bucket, {ChannelLabel} AS Channel, count(*) AS Samples,
                   count(*) FILTER (WHERE c.escalated_agent_error) AS Hits, 0::bigint AS Extra
            FROM {Ranges}
            CROSS JOIN LATERAL ({ContactsIn}) c
            WHERE c.kind = 'ticket' AND {Scope}
            GROUP BY 1, 2
            """,
        // Calls whose source reports the wait (Asterisk's queue_log), and the queue statistics windows of sources
        // that report waits only in aggregate (Twilio TaskRouter, whose calls carry no wait and so are left out
        // here): a window counts in the bucket where it starts, and only when it was split at the rule's threshold.
        SlaRuleKind.PhoneServiceLevel => $"""
            SELECT Bucket, Channel, sum(samples)::bigint AS Samples, sum(hits)::bigint AS Hits, sum(extra)::bigint AS Extra
            FROM (
                SELECT r.lo AS Bucket, {ChannelLabel} AS Channel, 1 AS samples,
                       (c.answered IS TRUE AND c.wait_seconds <= @threshold)::int AS hits, (c.abandoned IS TRUE)::int AS extra
                FROM {Ranges}
                CROSS JOIN LATERAL ({ContactsIn}) c
                WHERE c.kind = 'call' AND c.wait_seconds IS NOT NULL AND (c.answered IS TRUE OR c.abandoned IS TRUE) AND {Scope}
                UNION ALL
                SELECT r.lo, {ChannelLabel}, c.reservations_accepted + c.tasks_canceled,
                       (c.split_by_wait_time -> @split_key -> 'below' ->> 'reservations_accepted')::int, c.tasks_canceled
                FROM {Ranges}
                CROSS JOIN LATERAL ({QueueWindowsIn}) c
                WHERE (c.split_by_wait_time -> @split_key -> 'below' ->> 'reservations_accepted') IS NOT NULL AND {Scope}
            ) x
            GROUP BY 1, 2
            """,
        SlaRuleKind.OutOfHoursShare => $"""
            SELECT Bucket, Channel, count(*) AS Samples, count(*) FILTER (WHERE outside) AS Hits,
                   count(*) FILTER (WHERE outside AND critical) AS Extra
            FROM (
                SELECT r.lo AS Bucket, {ChannelLabel} AS Channel,
                       NOT sla_in_business_hours(@calendar, c.created_at) AS outside,
                       (c.priority = ANY(@critical_priorities) OR c.queue = ANY(@critical_queues)) IS TRUE AS critical
                FROM {Ranges}
                CROSS JOIN LATERAL ({ContactsIn}) c
                WHERE {Scope}) x
            GROUP BY 1, 2
            """,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>
    /// Open tickets of the window still without a first response whose age already exceeds the threshold:
    /// they count as samples that missed. Younger ones are not judged yet, paused / pending ones are the
    /// customer's turn. The predicate matches the partial index contacts_awaiting_first_response.
    /// </summary>
    public const string Unanswered = $"""
        SELECT {ChannelLabel} AS Channel, count(*) AS Overdue
        FROM contacts c
        WHERE c.first_response_at IS NULL AND c.kind = 'ticket'
          AND c.created_at >= @from AND c.created_at < @to
          AND c.status IN ('new', 'open') AND c.sla_paused IS NOT TRUE
          AND {Scope}
          AND {AgeSeconds} > @threshold
        GROUP BY 1
        """;

    public const string SumRollups = """
        SELECT channel AS Channel, sum(samples)::bigint AS Samples, sum(hits)::bigint AS Hits, sum(extra)::bigint AS Extra
        FROM sla_rollups
        WHERE rule = @rule AND bucket >= @from AND bucket < @to
        GROUP BY channel
        """;

    /// <summary>Buckets in which a contact (or a queue statistics window) changed since the mark, with what a rule's scope can rule out.</summary>
    public const string DirtyContactBuckets = """
        SELECT date_bin('5 minutes', created_at, TIMESTAMPTZ '1970-01-01 00:00:00Z') AS Bucket, kind AS Kind, source AS Source, channel AS Channel
        FROM contacts WHERE ingested_at > @since
        UNION
        SELECT date_bin('5 minutes', window_start, TIMESTAMPTZ '1970-01-01 00:00:00Z'), 'call', source, 'phone'
        FROM queue_statistics WHERE ingested_at > @since
        """;

    /// <summary>Rating buckets to redo: new or changed ratings, and ratings whose contact changed (scope may have moved).</summary>
    public const string DirtyRatingBuckets = """
        SELECT date_bin('5 minutes', x.rated_at, TIMESTAMPTZ '1970-01-01 00:00:00Z') AS Bucket, 'ticket' AS Kind, x.source AS Source, NULL AS Channel
        FROM contact_ratings x WHERE x.ingested_at > @since
        UNION
        SELECT date_bin('5 minutes', x.rated_at, TIMESTAMPTZ '1970-01-01 00:00:00Z'), 'ticket', x.source, NULL
        FROM contacts c JOIN contact_ratings x ON x.source = c.source AND x.external_id = c.external_id
        WHERE c.ingested_at > @since
        """;
}
