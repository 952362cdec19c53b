namespace IncidentDesk.Configuration;

public static class LoggingExtensions
{
    /// <summary>Readable lines on a terminal, one JSON object per line everywhere else (containers, CI, files).</summary>
    public static ILoggingBuilder AddIncidentDeskLogging(this ILoggingBuilder logging)
    {
        logging.ClearProviders();
        if (Console.IsOutputRedirected)
            logging.AddJsonConsole(o => { o.UseUtcTimestamp = true; o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ"; });
        else
            logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        return logging;
    }
}
