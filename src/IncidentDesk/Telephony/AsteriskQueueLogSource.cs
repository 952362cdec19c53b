using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IncidentDesk.Ticketing;
using Microsoft.Extensions.Options;

namespace IncidentDesk.Telephony;

/// <summary>
/// Tails an Asterisk <c>queue_log</c>. The cursor holds the file's identity (a hash of its first line),
/// the byte offset after the last whole line read, and the calls still in progress, so that a restart
/// neither re-reads nor forgets a call. Rotation (logrotate's rename to <c>queue_log.1</c>, new file)
/// is noticed by the identity changing: the rest of the rotated file is read first, then the new one.
/// </summary>
public sealed class AsteriskQueueLogSource(IOptions<AsteriskQueueLogOptions> options, ILogger<AsteriskQueueLogSource> logger) : IContactSource
{
    public string Source => QueueLogParser.Source;

    public string CursorKey => QueueLogParser.Source;

    private sealed record Cursor(string? File, long Offset, Dictionary<string, QueueLogParser.OpenCall> Open);

    // The file has no notion of dates; a backfill re-reads the current file from the start.
    public string CursorFrom(DateTimeOffset since) => JsonSerializer.Serialize(new Cursor(null, 0, []), SourceHttp.Json);

    public async Task<SourcePage> FetchAsync(string? cursor, CancellationToken ct)
    {
        var o = options.Value;
        var state = cursor is null ? new Cursor(null, 0, []) : JsonSerializer.Deserialize<Cursor>(cursor, SourceHttp.Json)!;
        var parser = new QueueLogParser(state.Open);
        var current = await IdentityAsync(o.Path, ct);
        if (current is null)
            return Page(parser, state, caughtUp: true); // empty or missing: nothing yet

        var path = o.Path;
        var offset = state.Offset;
        var rotated = false;
        if (state.File is not null && state.File != current)
        {
            var previous = o.Path + ".1";
            if (File.Exists(previous) && await IdentityAsync(previous, ct) == state.File)
            {
                path = previous;
                rotated = true;
            }
            else
            {
                offset = 0; // the old file is gone: start the new one from its beginning
            }
        }
        var (contacts, end, eof) = await ReadAsync(path, offset, o.LinesPerPage, parser, ct);
        var next = rotated && eof
            ? new Cursor(current, 0, parser.Open)                      // done with the rotated file: on to the new one
            : new Cursor(rotated ? state.File : current, end, parser.Open);
        var page = new SourcePage(contacts, [], JsonSerializer.Serialize(next, SourceHttp.Json), CaughtUp: eof && !rotated);
        if (parser.Rejected.Count > 0)
        {
            IngestionMetrics.SourceErrors.WithLabels(Source, "malformed").Inc(parser.Rejected.Count);
            foreach (var reason in parser.Rejected.Take(10))
                logger.LogWarning("queue_log {Path}: skipped a line: {Reason}", path, reason);
        }
        return page;
    }

    private static SourcePage Page(QueueLogParser parser, Cursor state, bool caughtUp) =>
        new([], [], JsonSerializer.Serialize(state with { Open = parser.Open }, SourceHttp.Json), caughtUp);

    /// <summary>Reads whole lines from <paramref name="offset"/>; a last line without its newline is left for the next poll.</summary>
    private static async Task<(List<Contact> Contacts, long End, bool Eof)> ReadAsync(string path, long offset, int maxLines, QueueLogParser parser, CancellationToken ct)
    {
        var contacts = new List<Contact>();
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (offset > stream.Length)
            offset = 0; // truncated in place (copytruncate): start again
        stream.Position = offset;
        var buffer = new byte[64 * 1024];
        var pending = new List<byte>();
        var lines = 0;
        var end = offset;
        int read;
        while (lines < maxLines && (read = await stream.ReadAsync(buffer, ct)) > 0)
        {
            var start = 0;
            for (var i = 0; i < read && lines < maxLines; i++)
            {
                if (buffer[i] != (byte)'\n')
                    continue;
                pending.AddRange(buffer.AsSpan(start, i - start));
                end += pending.Count + 1;
                var line = Encoding.UTF8.GetString(pending.ToArray()).TrimEnd('\r');
                pending.Clear();
                start = i + 1;
                lines++;
                if (parser.Apply(line) is { } call)
                    contacts.Add(call);
            }
            if (lines < maxLines)
                pending.AddRange(buffer.AsSpan(start, read - start));
        }
        return (contacts, end, end + pending.Count >= stream.Length && lines < maxLines);
    }

    /// <summary>A file's identity: the hash of its first line (with its timestamp and call id it differs from file to file).</summary>
    private static async Task<string?> IdentityAsync(string path, CancellationToken ct)
    {
        if (!File.Exists(path))
            return null;
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var head = new byte[256];
        var n = await stream.ReadAsync(head, ct);
        var newline = Array.IndexOf(head, (byte)'\n', 0, n);
        if (newline < 0)
            return null; // not even one whole line yet
        return Convert.ToHexString(SHA256.HashData(head.AsSpan(0, newline)))[..16];
    }
}
