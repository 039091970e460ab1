using System.Text;
using System.Text.Json.Nodes;

namespace Cairn.Server.Tests;

/// <summary>GitHub's own <c>pull_request</c> deliveries (Payloads/github, from octokit/webhooks) turned into a pull request
/// from a fork: the base is the test's repository, the head lives in <c>mallory/app</c>, opened by <c>mallory</c>.</summary>
public static class ForkPullRequests
{
    public const string Author = "mallory";

    public const int Number = 7;

    /// <param name="action"><c>opened</c> or <c>synchronize</c>: which of GitHub's examples to start from.</param>
    public static byte[] Payload(string action, string repository, string headSha, string baseSha)
    {
        var payload = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Payloads", "github", $"pull_request-{action}.json")))!.AsObject();
        payload["number"] = Number;
        payload["repository"]!["full_name"] = repository;
        var pull = payload["pull_request"]!;
        pull["number"] = Number;
        pull["user"]!["login"] = Author;
        pull["base"]!["ref"] = "main";
        pull["base"]!["sha"] = baseSha;
        pull["base"]!["repo"]!["full_name"] = repository;
        pull["head"]!["ref"] = "topic";
        pull["head"]!["sha"] = headSha;
        pull["head"]!["repo"]!["full_name"] = $"{Author}/app";
        return Encoding.UTF8.GetBytes(payload.ToJsonString());
    }
}
