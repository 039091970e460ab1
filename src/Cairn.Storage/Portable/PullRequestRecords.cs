using System.Data.Common;
using Cairn.Core.Publishing;

namespace Cairn.Storage.Portable;

/// <summary>The pull requests publish jobs opened (<see cref="IPullRequestStore"/>) in SQL both dialects run as written.</summary>
internal sealed class PullRequestRecords(IStatementRunner database) : IPullRequestStore
{
    private const string Columns =
        "run_id, job_id, repository, branch, number, url, head_sha, draft, checks, checks_detail, updated_at";

    private const string Record = $"""
        INSERT INTO pull_requests ({Columns})
        VALUES (@run, @job, @repository, @branch, @number, @url, @head, @draft, @checks, @detail, @at)
        ON CONFLICT (run_id, job_id) DO UPDATE SET
            repository = excluded.repository, branch = excluded.branch, number = excluded.number, url = excluded.url,
            head_sha = excluded.head_sha, draft = excluded.draft, checks = excluded.checks,
            checks_detail = excluded.checks_detail, updated_at = excluded.updated_at;
        """;

    private const string OfRun = $"SELECT {Columns} FROM pull_requests WHERE run_id = @run ORDER BY job_id;";

    private const string SetChecks = """
        UPDATE pull_requests SET checks = @checks, checks_detail = @detail, updated_at = @at
        WHERE repository = @repository AND head_sha = @head;
        """;

    public async Task RecordPullRequestAsync(PullRequestRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        await database.ExecuteAsync(
            Record,
            command => command
                .Bind("@run", record.RunId)
                .Bind("@job", record.JobId)
                .Bind("@repository", record.Repository)
                .Bind("@branch", record.Branch)
                .Bind("@number", record.Number)
                .Bind("@url", record.Url)
                .Bind("@head", record.HeadSha)
                .Bind("@draft", record.Draft)
                .Bind("@checks", record.Checks)
                .Bind("@detail", record.ChecksDetail)
                .Bind("@at", RecordRows.ToMillis(record.UpdatedAt)),
            cancellationToken);
    }

    public async Task<IReadOnlyList<PullRequestRecord>> GetPullRequestsAsync(long runId, CancellationToken cancellationToken) =>
        await database.QueryAsync(OfRun, command => command.Bind("@run", runId), Read, cancellationToken);

    public async Task<int> SetChecksAsync(
        string repository, string headSha, string checks, string? detail, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(repository);
        ArgumentException.ThrowIfNullOrEmpty(headSha);
        ArgumentException.ThrowIfNullOrEmpty(checks);
        return await database.ExecuteAsync(
            SetChecks,
            command => command
                .Bind("@repository", repository)
                .Bind("@head", headSha)
                .Bind("@checks", checks)
                .Bind("@detail", detail)
                .Bind("@at", RecordRows.ToMillis(at)),
            cancellationToken);
    }

    private static PullRequestRecord Read(DbDataReader row) => new(
        RunId: row.GetInt64(0),
        JobId: row.GetInt64(1),
        Repository: row.GetString(2),
        Branch: row.GetString(3),
        Number: row.GetInt32(4),
        Url: row.GetString(5),
        HeadSha: row.GetString(6),
        Draft: row.GetBoolean(7),
        Checks: RecordRows.StringOrNull(row, 8),
        ChecksDetail: RecordRows.StringOrNull(row, 9),
        UpdatedAt: RecordRows.FromMillis(row.GetInt64(10)));
}
