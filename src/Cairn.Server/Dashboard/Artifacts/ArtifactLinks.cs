namespace Cairn.Server.Dashboard.Artifacts;

/// <summary>The addresses of a job's artifacts: the dashboard's browser and the API's file and zip routes, each part
/// escaped on its own.</summary>
internal static class ArtifactLinks
{
    public static string Browse(long runId, string job, string path = "") =>
        $"/runs/{runId}/artifacts/{Uri.EscapeDataString(job)}" + (path.Length == 0 ? "" : "?path=" + Uri.EscapeDataString(path));

    public static string Zip(long runId, string job) => $"/api/v1/runs/{runId}/artifacts/{Uri.EscapeDataString(job)}.zip";

    public static string File(long runId, string job, string path, bool download = false) =>
        $"/api/v1/runs/{runId}/artifacts/{Uri.EscapeDataString(job)}/files/{string.Join('/', path.Split('/').Select(Uri.EscapeDataString))}"
        + (download ? "?download=1" : "");
}
