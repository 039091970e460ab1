namespace Cairn.Core.Logs;

/// <summary>Finds runs whose logs contain a piece of text, across every job the store keeps, newest run first.</summary>
public interface ILogSearch
{
    /// <summary>One page of jobs whose log holds <see cref="LogSearchQuery.Text"/> (compared without regard to ASCII case,
    /// literally: no character is special), newest run first, each with its first matching line and how many lines match.
    /// One query a page, once the index has taken in every stored line.</summary>
    /// <exception cref="ArgumentException">The query's text or limit is outside what <see cref="LogSearchQuery.Check"/> allows.</exception>
    Task<LogSearchPage> SearchLogsAsync(LogSearchQuery query, CancellationToken cancellationToken);
}
