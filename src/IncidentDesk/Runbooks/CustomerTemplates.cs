using IncidentDesk.Configuration;
using Scriban;
using Scriban.Runtime;
using Scriban.Syntax;

namespace IncidentDesk.Runbooks;

/// <summary>A customer notice ready to send.</summary>
public sealed record RenderedNotice(string Subject, string Body);

/// <summary>The values a customer notice may use; a template naming anything else is rejected by <c>check</c>.</summary>
public sealed record NoticeModel(string Ticket, string Name, string Produkt, string Eta, long Incident, string Title)
{
    public static readonly IReadOnlyList<string> Placeholders = ["ticket", "name", "produkt", "eta", "incident", "title"];

    /// <summary>Stand-in values for rendering every template once at start, so a broken one is found before a customer waits for it.</summary>
    public static NoticeModel Sample { get; } = new("12345", "Erika Mustermann", "Ticketportal", "2026-12-01 14:00 UTC", 1, "Sample incident");
}

/// <summary>
/// Scriban customer-notice templates from <c>runbooks/templates/NAME.LANG.txt</c>: the first line is
/// <c>Subject: ...</c>, then a blank line, then the body. German and English versions of each.
/// </summary>
public sealed class CustomerTemplates
{
    public static readonly IReadOnlyList<string> Languages = ["de", "en"];

    private readonly Dictionary<string, (Template Subject, Template Body)> templates;

    private CustomerTemplates(Dictionary<string, (Template, Template)> templates) => this.templates = templates;

    public bool Contains(string nameAndLanguage) => templates.ContainsKey(nameAndLanguage);

    /// <summary>Loads and test-renders every template in <paramref name="folder"/>; the problems name file and line.</summary>
    public static (CustomerTemplates Templates, List<Problem> Problems) Load(string folder)
    {
        var problems = new List<Problem>();
        var loaded = new Dictionary<string, (Template, Template)>();
        if (!Directory.Exists(folder))
            return (new CustomerTemplates(loaded), problems);
        foreach (var path in Directory.GetFiles(folder, "*.txt").Order(StringComparer.Ordinal))
        {
            var key = Path.GetFileNameWithoutExtension(path);
            var language = Path.GetExtension(key).TrimStart('.');
            if (!Languages.Contains(language))
            {
                problems.Add(new Problem(path, 0, $"template names end in .{string.Join(".txt or .", Languages)}.txt (e.g. outage.de.txt)"));
                continue;
            }
            var lines = File.ReadAllText(path).Replace("\r\n", "\n").Split('\n');
            if (!lines[0].StartsWith("Subject:", StringComparison.Ordinal) || lines.Length < 3 || lines[1].Length != 0)
            {
                problems.Add(new Problem(path, 1, "a template starts with a 'Subject: ...' line and a blank line"));
                continue;
            }
            var subject = Template.Parse(lines[0]["Subject:".Length..].Trim(), path);
            var body = Template.Parse(string.Join('\n', lines[2..]), path);
            var before = problems.Count;
            problems.AddRange(Verify(path, subject, 0));
            problems.AddRange(Verify(path, body, 2));
            if (problems.Count == before)
                loaded[key] = (subject, body);
        }
        return (new CustomerTemplates(loaded), problems);
    }

    /// <summary>Renders a template for one recipient. Throws only for a template that was not loaded (a bug: check rejects that).</summary>
    public RenderedNotice Render(string name, string language, NoticeModel model)
    {
        var (subject, body) = templates[$"{name}.{language}"];
        return new RenderedNotice(Render(subject, model).Trim(), Render(body, model));
    }

    private static List<Problem> Verify(string path, Template template, int lineOffset)
    {
        if (template.HasErrors)
            return template.Messages.Select(m => new Problem(path, m.Span.Start.Line + 1 + lineOffset, "template does not parse: " + m.Message)).ToList();
        try
        {
            Render(template, NoticeModel.Sample);
            return [];
        }
        catch (ScriptRuntimeException e)
        {
            var message = e.OriginalMessage.Contains("not found", StringComparison.Ordinal)
                ? $"unknown placeholder: {e.OriginalMessage} (known: {string.Join(", ", NoticeModel.Placeholders.Select(p => "{{" + p + "}}"))})"
                : "template does not render: " + e.OriginalMessage;
            return [new Problem(path, e.Span.Start.Line + 1 + lineOffset, message)];
        }
    }

    private static string Render(Template template, NoticeModel model)
    {
        var globals = new ScriptObject
        {
            ["ticket"] = model.Ticket,
            ["name"] = model.Name,
            ["produkt"] = model.Produkt,
            ["eta"] = model.Eta,
            ["incident"] = model.Incident,
            ["title"] = model.Title,
        };
        // Strict: a misspelt placeholder is an error, never an empty gap in a customer's mail.
        var context = new TemplateContext { StrictVariables = true, EnableRelaxedMemberAccess = false };
        context.PushGlobal(globals);
        return template.Render(context);
    }
}
