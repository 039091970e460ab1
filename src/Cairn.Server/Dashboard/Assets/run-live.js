// Keeps a running run's page current: on each change of the run or a job, reloads the page (one request), and stops
// once the run has ended.
const script = document.querySelector("script[data-stream]");
const url = script && script.dataset.stream;
if (url && window.EventSource) {
  let pending = null;
  const stream = new EventSource(url);
  const reload = () => { stream.close(); location.reload(); };
  stream.onmessage = () => { if (pending === null) pending = setTimeout(reload, 400); };
  stream.addEventListener("end", () => { if (pending === null) pending = setTimeout(reload, 100); });
}
