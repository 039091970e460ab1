using Cairn.Core.Execution;
using Cairn.Core.Runs;
using k8s.Autorest;

namespace Cairn.Executors.Kubernetes;

// Files in and out of the job's pod (IEnvironmentFiles) and the supervisor's holds around them: a
// job that brings files in has its supervisor wait before the first step until the first RunStepAsync
// releases it (extraction is over by then); a job that keeps files has it wait after the last step until
// TearDownAsync releases it (archiving is over by then), so the container still runs meanwhile.
internal sealed partial class KubernetesJobEnvironment : IEnvironmentFiles
{
    private PodFiles? _files;
    private string? _home;
    private bool _restoredReleased;
    private bool _archivedReleased;

    public string WorkspacePath => KubernetesManifests.WorkspacePath;

    public string HomePath => _home ?? throw new InvalidOperationException("the job's pod is not prepared: its home directory is not known yet");

    public Task ExtractAsync(string directory, Stream tar, CancellationToken cancellationToken) =>
        Files().ExtractAsync(directory, tar, cancellationToken);

    public Task ArchiveAsync(string directory, IReadOnlyList<string> subpaths, Stream destination, CancellationToken cancellationToken) =>
        Files().ArchiveAsync(directory, subpaths, destination, cancellationToken);

    // Once the job container runs: where the steps' home is (a job that moves files only).
    private async Task<JobSetup?> FilesReadyAsync(CancellationToken cancellationToken)
    {
        if (job.Files is null or { IsEmpty: true })
        {
            return null;
        }

        try
        {
            _home = await Files().HomeAsync(cancellationToken);
            return null;
        }
        catch (Exception error) when (error is IOException or HttpOperationException or HttpRequestException)
        {
            return JobSetup.Failed(FailureClass.Infra, $"the job's pod cannot move artifacts and caches: {error.Message}");
        }
    }

    // The first step: what the job brings in is there, the supervisor may start.
    private async Task<StepExit?> ReleaseRestoredAsync(CancellationToken cancellationToken)
    {
        if (_restoredReleased || !KubernetesManifests.HoldsBefore(job))
        {
            return null;
        }

        try
        {
            await Files().ReleaseAsync(KubernetesManifests.RestoredFile, cancellationToken);
            _restoredReleased = true;
            return null;
        }
        catch (Exception error) when (error is IOException or HttpOperationException or HttpRequestException)
        {
            return StepExit.Failed(FailureClass.Infra, null, $"the job's pod could not be told to start its steps: {error.Message}");
        }
    }

    // Tear-down: a supervisor still waiting before its first step is stopped (no step may run now); one waiting after
    // its last is let go, so it exits and its log ends.
    private async Task ReleaseForTearDownAsync()
    {
        if (_log is null || _stopping)
        {
            return;
        }

        if (KubernetesManifests.HoldsBefore(job) && !_restoredReleased)
        {
            await StopPodAsync(TimeSpan.FromSeconds(1));
            return;
        }

        if (!KubernetesManifests.HoldsAfter(job) || _archivedReleased)
        {
            return;
        }

        using var bound = new CancellationTokenSource(options.CleanupTimeout / 2, time);
        try
        {
            await Files().ReleaseAsync(KubernetesManifests.ArchivedFile, bound.Token);
            _archivedReleased = true;
        }
        catch (Exception error) when (error is IOException or HttpOperationException or HttpRequestException or OperationCanceledException)
        {
            // Its pod is deleted next all the same.
            await StopPodAsync(TimeSpan.FromSeconds(1));
        }
    }

    private PodFiles Files() =>
        _files ??= new PodFiles(client, _pod ?? throw new InvalidOperationException("the job's pod is not made yet"));
}
