using Dapper;
using IncidentDesk.IntegrationTests.Infrastructure;

namespace IncidentDesk.IntegrationTests.Ingestion;

/// <summary>The real service tailing a queue_log file into contacts, across polls, partial lines and a rotation.</summary>
public sealed class AsteriskQueueLogIngestionTests : IAsyncLifetime
{
    private readonly TestDatabase database = new();
    private readonly string dir = Directory.CreateTempSubdirectory("incidentdesk-queuelog-").FullName;

    private string LogPath => Path.Combine(dir, "queue_log");

    public Task InitializeAsync() => database.InitializeAsync();

    public async Task DisposeAsync()
    {
        await database.DisposeAsync();
        Directory.Delete(dir, recursive: true);
    }

    [PostgresFact]
    public async Task A_call_at_peak_waits_in_the_queue_and_goes_to_the_first_free_agent()
    {
        // Peak: both agents talking when call C arrives; SIP/101 finishes at +40 and C is connected to it.
        await File.WriteAllTextAsync(LogPath, """
            1764583000|A|support|NONE|ENTERQUEUE||+4930111|1
            1764583002|A|support|SIP/101|CONNECT|2|A.2|2
            1764583010|B|support|NONE|ENTERQUEUE||+4930222|1
            1764583013|B|support|SIP/102|CONNECT|3|B.2|3
            1764583100|C|support|NONE|ENTERQUEUE||+4930333|1
            1764583110|C|support|SIP/102|RINGNOANSWER|0
            1764583140|A|support|SIP/101|COMPLETECALLER|2|138|1
            1764583142|C|support|SIP/101|CONNECT|42|C.2|2

            """);
        await using var service = await TestService.StartAsync(database, new Dictionary<string, string?>
        {
            ["Telephony:AsteriskQueueLog:Path"] = LogPath,
            ["Telephony:AsteriskQueueLog:PollInterval"] = "00:00:01",
        });
        await Eventually.Until(() => Count(), n => n == 1, what: "call A (finished) ingested");
        (await Count()).Should().Be(1, "B and C are still talking");

        // Asterisk writes the end of C; the line arrives in two pieces (a partial line must wait).
        await File.AppendAllTextAsync(LogPath, "1764583300|C|support|SIP/101|COMPLETEAG");
        await Eventually.Until(() => Query<string?>("SELECT cursor FROM ingestion_sources WHERE source = 'asterisk'"), c => c.Count == 1 && c[0] is not null, what: "a poll");
        await File.AppendAllTextAsync(LogPath, "ENT|42|158|2\n1764583400|B|support|SIP/102|COMPLETEAGENT|3|387|1\n");
        await Eventually.Until(() => Count(), n => n == 3, what: "calls B and C ingested");

        var c = (await Query<(int Wait, string Agent, bool Answered, bool Abandoned, int Talk, int FirstResponse)>(
            "SELECT wait_seconds, agent, answered, abandoned, talk_seconds, first_response_seconds FROM contacts WHERE external_id = 'C'")).Single();
        c.Should().Be((42, "SIP/101", true, false, 158, 42), "C waited 42 s in the queue and went to SIP/101, the agent that became free");
    }

    [PostgresFact]
    public async Task A_rotated_log_is_read_to_its_end_and_the_new_file_from_its_start()
    {
        await File.WriteAllTextAsync(LogPath, "1764590000|R1|support|NONE|ENTERQUEUE||x|1\n1764590030|R1|support|NONE|ABANDON|1|1|30\n1764590040|R2|support|NONE|ENTERQUEUE||x|1\n");
        await using var service = await TestService.StartAsync(database, new Dictionary<string, string?>
        {
            ["Telephony:AsteriskQueueLog:Path"] = LogPath,
            ["Telephony:AsteriskQueueLog:PollInterval"] = "00:00:01",
        });
        await Eventually.Until(() => Count(), n => n == 1, what: "R1 ingested");

        // R2's end is written just before logrotate renames the file; new calls go to a fresh file.
        await File.AppendAllTextAsync(LogPath, "1764590070|R2|support|NONE|EXITWITHTIMEOUT|1|1|30\n");
        File.Move(LogPath, LogPath + ".1");
        await File.WriteAllTextAsync(LogPath, "1764590100|R3|support|NONE|ENTERQUEUE||x|1\n1764590105|R3|support|SIP/7|CONNECT|5|R3.1|1\n1764590200|R3|support|SIP/7|COMPLETEAGENT|5|95|1\n");

        await Eventually.Until(() => Count(), n => n == 3, what: "R2 from the rotated file and R3 from the new one");
        (await Query<string>("SELECT external_id FROM contacts ORDER BY external_id")).Should().Equal("R1", "R2", "R3");
        (await Query<bool>("SELECT abandoned FROM contacts WHERE external_id = 'R2'")).Single().Should().BeFalse("a queue timeout is unanswered, not abandoned");
    }

    private async Task<long> Count() => (await Query<long>("SELECT count(*) FROM contacts WHERE source = 'asterisk'")).Single();

    private async Task<List<T>> Query<T>(string sql)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        return (await connection.QueryAsync<T>(sql)).ToList();
    }
}
