// Keeps the run list current: follows the stream of every run's status changes and, when one arrives, fetches this
// same page again (with its filters) and swaps the table in. Without JavaScript the list is still there; only live
// updates are missing.
const table = document.getElementById("runs");
const dot = document.getElementById("live");
if (table && window.EventSource) {
  let pending = null;
  const refresh = async () => {
    pending = null;
    try {
      const response = await fetch(location.href, { headers: { Accept: "text/html" }, credentials: "same-origin" });
      if (!response.ok) return;
      const next = new DOMParser().parseFromString(await response.text(), "text/html").getElementById("runs");
      if (next) table.innerHTML = next.innerHTML;
    } catch {
      // A failed refresh waits for the next change.
    }
  };
  const stream = new EventSource(table.dataset.stream);
  stream.onopen = () => dot && dot.classList.add("on");
  stream.onerror = () => dot && dot.classList.remove("on");
  stream.onmessage = () => {
    if (pending === null) pending = setTimeout(refresh, 250);
  };
}
