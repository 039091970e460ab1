// A job's log in the browser: steps and ::group:: sections that fold, line numbers with permalinks, timestamps, follow,
// search answered by the server, and only the rows near the viewport in the page, so a log of any length stays fast.
import { structure } from './log-structure.js';
import { rendering } from './log-rows.js';

const ROW = 20; // px; every row is one line high, so a row's place is its index times this
const OVERSCAN = 30;
const CHUNK = 5000; // the API's most lines an answer
const TAIL = 1000;

/**
 * Mounts the viewer into element. options: runId, jobId, steps ([{ index, name, status, duration (seconds), startedAt? }]),
 * running (the job has not ended), apiBase ('/api/v1'), fetchInit (extra fetch options, e.g. headers).
 * Answers the viewer, whose destroy() stops its stream.
 */
export function mountLogViewer(element, options) {
  const viewer = new LogViewer(element, options);
  viewer.start();
  return viewer;
}

class LogViewer {
  constructor(element, { runId, jobId, steps = [], running = false, apiBase = '/api/v1', fetchInit = {} }) {
    this.root = element;
    this.base = `${apiBase}/runs/${runId}/jobs/${jobId}`;
    this.fetchInit = fetchInit;
    this.steps = new Map(steps.map((s) => [s.index, { ...s }]));
    this.running = running;
    this.lines = []; // by sequence number: { seq, step, at (ms), text, segs }
    this.last = 0; // the highest sequence number the server has told of
    this.loading = new Map(); // chunk of the grid → its answer, while it is awaited
    this.open = new Map(); // section key → open?
    this.follow = running;
    this.clock = 'wall';
    this.hits = [];
    this.hit = -1;
    this.query = '';
    this.selected = 0;
    this.rows = [];
    this.sectionOf = []; // by sequence number: the innermost section holding the line
    this.dirty = false;
    this.build();
  }

  // ---- the page's parts ----

  build() {
    const doc = this.root.ownerDocument;
    const el = (tag, cls, text) => {
      const node = doc.createElement(tag);
      if (cls) node.className = cls;
      if (text !== undefined) node.textContent = text;
      return node;
    };
    this.root.classList.add('log-viewer');
    this.root.replaceChildren();
    const bar = el('div', 'log-toolbar');
    this.search = el('input', 'log-search');
    this.search.type = 'search';
    this.search.placeholder = 'Search the log (regex), Enter: next, Shift+Enter: previous';
    this.search.setAttribute('aria-label', 'Search the log');
    this.hitCount = el('span', 'log-hits', '');
    const previous = el('button', 'log-prev', '↑');
    previous.type = 'button';
    previous.title = 'Previous match (Shift+Enter)';
    const next = el('button', 'log-next', '↓');
    next.type = 'button';
    next.title = 'Next match (Enter)';
    this.clockButton = el('button', 'log-clock', 'Time: wall clock');
    this.clockButton.type = 'button';
    this.followBox = el('input', 'log-follow');
    this.followBox.type = 'checkbox';
    const followLabel = el('label', 'log-follow-label');
    followLabel.append(this.followBox, doc.createTextNode(' Follow'));
    const raw = el('a', 'log-raw', 'Raw log');
    raw.href = `${this.base}/log.txt`;
    raw.setAttribute('download', '');
    this.status = el('span', 'log-status', '');
    bar.append(this.search, previous, next, this.hitCount, this.clockButton, followLabel, raw, this.status);
    this.scroller = el('div', 'log-scroll');
    this.scroller.tabIndex = 0;
    this.body = el('div', 'log-body');
    this.scroller.append(this.body);
    this.root.append(bar, this.scroller);
    this.el = el;

    this.search.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        this.find(e.shiftKey ? -1 : 1);
      }
    });
    previous.addEventListener('click', () => this.find(-1));
    next.addEventListener('click', () => this.find(1));
    this.clockButton.addEventListener('click', () => {
      this.clock = this.clock === 'wall' ? 'step' : 'wall';
      this.clockButton.textContent = this.clock === 'wall' ? 'Time: wall clock' : 'Time: since step began';
      this.paint(true);
    });
    this.followBox.checked = this.follow;
    this.followBox.disabled = !this.running;
    this.followBox.addEventListener('change', () => {
      this.follow = this.followBox.checked;
      if (this.follow) this.toBottom();
    });
    this.scroller.addEventListener('scroll', () => this.onScroll(), { passive: true });
    this.body.addEventListener('click', (e) => this.onClick(e));
    this.body.addEventListener('keydown', (e) => {
      if ((e.key === 'Enter' || e.key === ' ') && e.target.matches('.log-step, .log-group')) {
        e.preventDefault();
        this.onClick(e);
      }
    });
    this.root.logViewer = this;
    this.onHash = () => this.revealHash();
    this.root.ownerDocument.defaultView.addEventListener('hashchange', this.onHash);
  }

  async start() {
    const tail = await this.get(`${this.base}/log?tail=${TAIL}`);
    this.last = Math.max(this.last, tail.last);
    this.add(tail.lines);
    this.refresh();
    if (this.running) {
      this.toBottom();
      this.listen(tail.last);
    }
    await this.revealHash();
    this.loadRest();
  }

  destroy() {
    this.destroyed = true;
    this.stream?.close();
    this.root.ownerDocument.defaultView.removeEventListener('hashchange', this.onHash);
  }

  // ---- lines from the server ----

  async get(url) {
    const response = await fetch(url, { ...this.fetchInit, headers: { Accept: 'application/json', ...(this.fetchInit.headers ?? {}) } });
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      throw new Error(problem.detail ?? `${response.status} ${response.statusText}`);
    }
    return response.json();
  }

  /**
   * Fetches the lines of [from, to] not yet here and returns once they are. Lines come a chunk of a fixed grid at a time
   * (1–5000, 5001–10000, …); a chunk already asked for is awaited, never asked for again, so a reveal, a gap in view and
   * the background load all wait on the one answer.
   */
  async ensure(from, to) {
    from = Math.max(1, from);
    to = Math.min(to, this.last);
    const answers = [];
    for (let chunk = Math.floor((from - 1) / CHUNK); chunk * CHUNK + 1 <= to; chunk++) {
      const start = Math.max(from, chunk * CHUNK + 1);
      const end = Math.min(to, (chunk + 1) * CHUNK);
      let missing = false;
      for (let s = start; s <= end && !missing; s++) missing = !this.lines[s];
      if (missing) answers.push(this.loading.get(chunk) ?? this.fetchChunk(chunk));
    }
    if (answers.length === 0) return;
    await Promise.all(answers);
    this.schedule();
  }

  /** Asks for one chunk of the grid, as far as the log goes now; the answer's lines are added by sequence number. */
  fetchChunk(chunk) {
    const start = chunk * CHUNK + 1;
    const end = Math.min(this.last, start + CHUNK - 1);
    const answer = this.get(`${this.base}/log?from=${start}&to=${end}`)
      .then((range) => {
        this.last = Math.max(this.last, range.last);
        this.add(range.lines);
      })
      .finally(() => this.loading.delete(chunk));
    this.loading.set(chunk, answer);
    return answer;
  }

  /** Loads, in order and in the background, every line the first answer did not bring. */
  async loadRest() {
    for (let start = 1; start <= this.last; start += CHUNK) {
      if (this.destroyed) return;
      await this.ensure(start, start + CHUNK - 1);
    }
  }

  listen(after) {
    // EventSource resumes by itself with Last-Event-ID after a drop; the first connection starts after what is shown.
    this.stream = new EventSource(`${this.base}/log/stream?after=${after}`);
    this.stream.onmessage = (e) => {
      const line = JSON.parse(e.data);
      this.last = Math.max(this.last, line.seq);
      this.add([line]);
      this.schedule();
    };
    this.stream.addEventListener('end', (e) => {
      this.stream.close();
      this.running = false;
      this.followBox.disabled = true;
      const end = JSON.parse(e.data);
      this.status.textContent = `Job ${end.status}${end.exitCode !== undefined ? ` (exit ${end.exitCode})` : ''}`;
      this.root.dataset.ended = end.status;
      this.refreshSteps();
      this.schedule();
    });
  }

  async refreshSteps() {
    try {
      const run = await this.get(this.base.replace(/\/jobs\/\d+$/, ''));
      const job = run.jobs?.find((j) => this.base.endsWith(`/jobs/${j.id}`));
      for (const s of job?.steps ?? []) {
        // A step the reader watched finish stays as it was: folding it now would take the lines from under their eyes.
        // One the page did not know of (its job had not started it when the page was read) was shown open, as a step
        // without a status is.
        const key = `s${s.index}`;
        const known = this.steps.get(s.index) ?? { index: s.index, status: '' };
        if (!this.open.has(key)) this.open.set(key, this.isOpen({ kind: 'step', key, step: known }));
        const duration = s.startedAt && s.finishedAt ? (Date.parse(s.finishedAt) - Date.parse(s.startedAt)) / 1000 : undefined;
        this.steps.set(s.index, { ...this.steps.get(s.index), index: s.index, name: s.name, status: s.status, duration, startedAt: s.startedAt });
      }
      this.schedule();
    } catch {
      // The steps keep what they showed.
    }
  }

  schedule() {
    if (this.dirty) return;
    this.dirty = true;
    requestAnimationFrame(() => {
      this.dirty = false;
      this.refresh();
    });
  }

  refresh() {
    // Lines arriving above what the reader looks at (a chunk filling a gap) must not push it away: the first line in view
    // stays where it was.
    const anchor = this.follow ? null : this.anchor();
    this.rows = this.flatten();
    this.body.style.height = `${this.rows.length * ROW}px`;
    if (this.follow) this.toBottom();
    else if (anchor) this.keep(anchor);
    this.paint(true);
  }

  /** The first line (or lines not loaded yet) in view, and how far below the viewport's top it sits. */
  anchor() {
    const top = this.scroller.scrollTop;
    if (top === 0) return null;
    const first = Math.floor(top / ROW);
    for (let i = first; i < Math.min(this.rows.length, first + OVERSCAN); i++) {
      const row = this.rows[i];
      if (row.kind === 'line' || row.kind === 'group') return { seq: row.seq, offset: i * ROW - top };
      if (row.kind === 'gap') return { seq: row.from, offset: i * ROW - top };
    }
    return null;
  }

  keep(anchor) {
    const index = this.rows.findIndex((r) => (r.kind === 'gap' ? r.from : r.seq) === anchor.seq && r.kind !== 'step');
    if (index >= 0) this.scroller.scrollTop = index * ROW - anchor.offset;
  }

  // ---- painting only the rows near the viewport ----

  paint(force = false) {
    const first = Math.max(0, Math.floor(this.scroller.scrollTop / ROW) - OVERSCAN);
    const last = Math.min(this.rows.length, Math.ceil((this.scroller.scrollTop + this.scroller.clientHeight) / ROW) + OVERSCAN);
    if (!force && first === this.painted?.[0] && last === this.painted?.[1]) return;
    this.painted = [first, last];
    const fragment = this.root.ownerDocument.createDocumentFragment();
    const gaps = [];
    for (let i = first; i < last; i++) {
      const row = this.rows[i];
      const node = this.renderRow(row);
      node.style.top = `${i * ROW}px`;
      fragment.append(node);
      if (row.kind === 'gap') gaps.push(row);
    }
    this.body.replaceChildren(fragment);
    // Fetched after this paint, never within it: a fetch's answer paints again.
    if (gaps.length) setTimeout(() => gaps.forEach((gap) => this.ensure(gap.from, Math.min(gap.to, gap.from + CHUNK - 1))), 0);
  }

  // ---- the reader's actions ----

  onScroll() {
    const atBottom = this.scroller.scrollTop + this.scroller.clientHeight >= this.scroller.scrollHeight - ROW;
    if (this.running && this.follow !== atBottom) {
      this.follow = atBottom;
      this.followBox.checked = atBottom;
    }
    this.paint();
  }

  toBottom() {
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }

  onClick(e) {
    const header = e.target.closest('.log-step, .log-group');
    if (!header || e.target.closest('a')) return;
    const key = header.dataset.key;
    const section = this.findSection(key);
    if (section) {
      const focused = header.ownerDocument.activeElement === header;
      this.open.set(key, !this.isOpen(section));
      this.refresh();
      // The rows are drawn anew: the header the reader toggled from the keyboard keeps the focus.
      if (focused) this.body.querySelector(`[data-key="${key}"]`)?.focus({ preventScroll: true });
    }
  }

  async revealHash() {
    const match = /^#L(\d+)$/.exec(this.root.ownerDocument.defaultView.location.hash);
    if (match) await this.reveal(Number(match[1]));
  }

  /** Loads the line if need be, opens every section holding it, scrolls to it and highlights it. */
  async reveal(seq) {
    if (seq < 1 || seq > this.last) return;
    await this.ensure(seq - 100, seq + 100);
    this.rows = this.flatten();
    for (let s = this.sectionOf[seq]; s; s = s.parent) this.open.set(s.key, true);
    this.selected = seq;
    this.follow = false;
    this.followBox.checked = false;
    this.refresh();
    let index = this.rows.findIndex((r) => r.seq === seq && (r.kind === 'line' || r.kind === 'group'));
    if (index < 0) index = this.rows.findLastIndex((r) => r.kind === 'line' && r.seq < seq);
    if (index >= 0) this.scroller.scrollTop = Math.max(0, index * ROW - this.scroller.clientHeight / 3);
    this.paint(true);
  }

  async find(direction) {
    const query = this.search.value;
    if (!query) return;
    if (query !== this.query) {
      this.query = query;
      try {
        const found = await this.get(`${this.base}/log?q=${encodeURIComponent(query)}`);
        this.hits = found.lines;
        this.hitSet = new Set(found.lines);
        this.hit = -1;
        this.truncated = found.truncated;
      } catch (error) {
        this.hits = [];
        this.hitSet = new Set();
        this.hitCount.textContent = error.message;
        this.query = '';
        return;
      }
    }
    if (this.hits.length === 0) {
      this.hitCount.textContent = 'No matches';
      return;
    }
    this.hit = this.hit < 0 ? (direction > 0 ? 0 : this.hits.length - 1) : (this.hit + direction + this.hits.length) % this.hits.length;
    this.hitCount.textContent = `${this.hit + 1} of ${this.hits.length}${this.truncated ? '+' : ''}`;
    await this.reveal(this.hits[this.hit]);
  }
}

// The viewer's parts that only read and shape what it holds live in modules of their own.
Object.assign(LogViewer.prototype, structure, rendering);
