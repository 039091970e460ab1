// The job page: mounts the log viewer on the element the server rendered, with the steps it already knows.
import { mountLogViewer } from './log-viewer.js';

const host = document.getElementById('log');
if (host) {
  mountLogViewer(host, {
    runId: host.dataset.run,
    jobId: host.dataset.job,
    steps: JSON.parse(host.dataset.steps || '[]'),
    running: host.dataset.running === 'true',
  });
}
