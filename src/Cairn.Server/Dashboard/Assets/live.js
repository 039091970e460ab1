// Live pages. Follows one of the server's streams of run changes and, when something that concerns the page changes,
// fetches this same page again (one request, its query included) and puts the fresh part in place of the old one. The
// page is never reloaded: the scroll position, the jobs the reader opened or folded, the element that has the focus and
// whatever lies outside the swapped part (the job page's log viewer) stay as they are. Without JavaScript the page reads
// the same, minus the updates.
//
// The script element says what to do:
//   data-live   the stream's URL. The page gives it ?after=<the change feed's position read before the page's own
//               reads>, so a change made between the page's read and the stream's start is not missed; after a dropped
//               connection EventSource resumes with Last-Event-ID.
//   data-swap   the element whose content is replaced (e.g. "#runs"), or
//   data-until  the child of <main> before which all of <main> is replaced (e.g. "#log").
//   data-dot    the indicator lit while the stream is open.
//   data-every  also refresh every so many seconds while the stream is open and the page shows something still going:
//               for what moves without a change in the feed (a job's steps).
// Durations still going (data-elapsed, written by Components/Elapsed.razor) count on each second.
// A stream that says `end` (the run has ended) gets one last refresh and is closed.

const DELAY = 250;
// How long a changed run or job stays marked: the length of dashboard.css's `changed` animation.
const MARKED = 2500;

const config = document.querySelector('script[data-live]');
if (config && window.EventSource) {
  follow(config.dataset);
}
if (config) {
  setInterval(count, 1000);
}

function follow({ live: url, swap, until, dot, every }) {
  // What the reader chose by hand, by job id: a job opened or folded stays so while the page changes around it.
  const chosen = new Map();
  document.addEventListener('click', (event) => {
    const summary = event.target instanceof Element ? event.target.closest('details[data-job] > summary') : null;
    if (summary && !event.target.closest('a, button')) {
      chosen.set(summary.parentElement.dataset.job, !summary.parentElement.open);
    }
  });

  // When each run or job on the page was last marked as changed (see place).
  const marked = new Map();

  let timer = null;
  let fetching = false;
  let again = false;
  let open = false;

  const light = () => {
    const lamp = dot && document.querySelector(dot);
    if (lamp) lamp.classList.toggle('on', open);
  };

  // A tab in the background fetches nothing: it remembers that something changed and refreshes when it is shown.
  let behind = false;
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && behind) {
      behind = false;
      schedule(0);
    }
  });

  const schedule = (delay) => {
    if (document.hidden) {
      behind = true;
      return;
    }
    if (timer !== null || fetching) {
      again = true;
      return;
    }
    timer = setTimeout(refresh, delay);
  };

  const refresh = async () => {
    timer = null;
    fetching = true;
    again = false;
    try {
      const response = await fetch(location.pathname + location.search, {
        headers: { Accept: 'text/html' },
        credentials: 'same-origin',
        cache: 'no-store',
      });
      // A redirect means the session is gone (to /login): keep what is shown rather than swap in the sign-in form.
      if (response.ok && !response.redirected) {
        place(new DOMParser().parseFromString(await response.text(), 'text/html'));
      }
    } catch {
      // A failed refresh waits for the next change.
    }
    fetching = false;
    if (again) schedule(DELAY);
  };

  const place = (fresh) => {
    const focus = focusKey();
    const before = statuses(document);
    let region = null;
    if (swap) {
      const here = document.querySelector(swap);
      const there = fresh.querySelector(swap);
      if (!here || !there) return;
      here.replaceChildren(...there.childNodes);
      region = here;
    } else if (until) {
      const here = document.getElementById('main');
      const there = fresh.getElementById('main');
      const stop = here && here.querySelector(`:scope > ${until}`);
      const freshStop = there && there.querySelector(`:scope > ${until}`);
      if (!stop || !freshStop) return;
      while (here.firstChild && here.firstChild !== stop) here.firstChild.remove();
      while (there.firstChild && there.firstChild !== freshStop) here.insertBefore(there.firstChild, stop);
      region = here;
    } else {
      return;
    }
    for (const details of region.querySelectorAll('details[data-job]')) {
      const open = chosen.get(details.dataset.job);
      if (open !== undefined) details.open = open;
    }
    // A run or job that is new or whose status moved is marked for a moment, so the eye finds what changed. The mark
    // outlives a refresh that comes before its moment is over (the fresh element carries on where the old one was).
    const now = performance.now();
    for (const [element, status] of statuses(region)) {
      const which = key(element);
      if (before.get(which) !== status) marked.set(which, now);
      const since = marked.get(which);
      if (since === undefined) continue;
      if (now - since >= MARKED) {
        marked.delete(which);
        continue;
      }
      element.style.animationDelay = `${-(now - since)}ms`;
      element.classList.add('changed');
    }
    if (fresh.title) document.title = fresh.title;
    light();
    refocus(region, focus);
  };

  if (Number(every) > 0) {
    setInterval(() => {
      if (open && document.querySelector('[data-elapsed]')) schedule(0);
    }, Number(every) * 1000);
  }

  const stream = new EventSource(url);
  stream.onopen = () => { open = true; light(); };
  stream.onerror = () => { open = stream.readyState === EventSource.OPEN; light(); };
  stream.onmessage = () => schedule(DELAY);
  stream.addEventListener('end', () => {
    stream.close();
    open = false;
    light();
    schedule(0);
  });
}

// The focused element, as a selector that finds its like in the fresh content: by id, by the form it submits, by the
// link's target, or as a job's summary.
function focusKey() {
  const active = document.activeElement;
  if (!active || active === document.body) return null;
  const quoted = (value) => `"${CSS.escape(value)}"`;
  if (active.id) return `#${CSS.escape(active.id)}`;
  const form = active.closest('form[action]');
  if (form) return `form[action=${quoted(form.getAttribute('action'))}] ${active.tagName.toLowerCase()}`;
  if (active.matches('a[href]')) return `a[href=${quoted(active.getAttribute('href'))}]`;
  if (active.matches('details[data-job] > summary')) return `details[data-job=${quoted(active.parentElement.dataset.job)}] > summary`;
  return null;
}

function refocus(region, selector) {
  if (!selector || (document.activeElement && document.activeElement !== document.body)) return;
  const target = region.querySelector(selector);
  if (target) target.focus({ preventScroll: true });
}

// Each run row and job on the page, with its status.
function statuses(root) {
  const found = new Map();
  for (const element of root.querySelectorAll('[data-run], [data-job]')) {
    const badge = element.querySelector('.status');
    if (badge) found.set(root === document ? key(element) : element, badge.dataset.status);
  }
  return found;
}

function key(element) {
  return element.dataset.job !== undefined ? `job ${element.dataset.job}` : `run ${element.dataset.run}`;
}

// Durations still going count on between refreshes. Each is counted from the moment this page first saw it, by the
// browser's monotonic clock, so a clock that differs from the server's does not skew it.
const seen = new WeakMap();

function count() {
  const now = performance.now();
  for (const element of document.querySelectorAll('[data-elapsed]')) {
    let start = seen.get(element);
    if (start === undefined) {
      start = now - Number(element.dataset.elapsed) * 1000;
      seen.set(element, start);
    }
    element.textContent = duration((now - start) / 1000);
  }
}

// As the server writes it: "4s", "3m 12s", "2h 05m".
function duration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const two = (n) => String(n).padStart(2, '0');
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${two(s % 60)}s`;
  return `${Math.floor(s / 3600)}h ${two(Math.floor(s / 60) % 60)}m`;
}
