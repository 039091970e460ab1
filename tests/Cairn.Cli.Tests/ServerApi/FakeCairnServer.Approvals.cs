using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Cairn.Cli.Tests.ServerApi;

/// <summary>The fake's answers about pull requests from forks: a repository's settings changed, a waiting run approved or
/// rejected.</summary>
internal sealed partial class FakeCairnServer
{
    private IResult ChangeRepo(string name, JsonObject body)
    {
        var policy = (string?)body["forkPullRequests"];
        if (policy is not (null or "approve" or "run" or "ignore"))
        {
            var error = $"forkPullRequests: '{policy}' is not one of approve, run or ignore";
            return Problem(400, "The request is not valid", error, [error]);
        }

        lock (_gate)
        {
            if (!_repos.TryGetValue(name, out var repo))
            {
                return NotFound($"there is no repository {name}");
            }

            _repos[name] = repo = repo with
            {
                ForkPullRequests = policy ?? repo.ForkPullRequests,
                AllowForkSecrets = (bool?)body["allowForkSecrets"] ?? repo.AllowForkSecrets,
            };
            return Results.Json(repo, Json);
        }
    }

    /// <summary>Approves or rejects a waiting run, as the server does: 409 for a run that does not wait.</summary>
    private IResult Decide(long id, string? reason, bool approve)
    {
        lock (_gate)
        {
            if (!_runs.TryGetValue(id, out var run))
            {
                return NotFound($"there is no run {id}");
            }

            if (run.Status != "waiting")
            {
                return Problem(409, "Conflict", $"run {id} is not waiting for approval: it is {run.Status}");
            }

            var said = reason is null ? "rejected by a maintainer" : $"rejected: {reason}";
            _runs[id] = run = approve
                ? run with { Status = "running", PendingReason = null, StartedAt = DateTimeOffset.UtcNow }
                : run with { Status = "cancelled", PendingReason = null, CancelRequested = true, CancelReason = said, FinishedAt = DateTimeOffset.UtcNow };
            return Results.Json(run, Json);
        }
    }
}
