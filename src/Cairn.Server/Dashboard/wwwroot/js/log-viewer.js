// A job's log in the browser: steps and ::group:: sections that fold, line numbers with permalinks, timestamps, follow,
// search answered by the server, and only the rows near the viewport in the page, so a log of any length stays fast.
import { AnsiParser, appendSegments, plainText } from './ansi.js';

const ROW = 20; // px; every row is one line high, so a row's place is its index times this
const OVERSCAN = 30;
const CHUNK = 5000; // the API's most lines an answer
const TAIL = 1000;
const CUT = 10000; // characters of one line shown; the rest is in the raw text

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
    this.loading = new Set(); // chunk starts being fetched
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

  /** Fetches the lines of [from, to] not yet here, a chunk at a time. */
  async ensure(from, to) {
    from = Math.max(1, from);
    to = Math.min(to, this.last);
    let added = false;
    for (let start = from; start <= to; start += CHUNK) {
      const end = Math.min(to, start + CHUNK - 1);
      let missing = false;
      for (let s = start; s <= end && !missing; s++) missing = !this.lines[s];
      if (!missing) continue;
      const key = `${start}-${end}`;
      if (this.loading.has(key)) continue;
      this.loading.add(key);
      try {
        const range = await this.get(`${this.base}/log?from=${start}&to=${end}`);
        this.last = Math.max(this.last, range.last);
        this.add(range.lines);
        added = true;
      } finally {
        this.loading.delete(key);
      }
    }
    if (added) this.schedule();
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
        const duration = s.startedAt && s.finishedAt ? (Date.parse(s.finishedAt) - Date.parse(s.startedAt)) / 1000 : undefined;
        this.steps.set(s.index, { ...this.steps.get(s.index), index: s.index, name: s.name, status: s.status, duration, startedAt: s.startedAt });
      }
      this.schedule();
    } catch {
      // The steps keep what they showed.
    }
  }

  /** Takes lines in: each is parsed for colour once, carrying style across lines that follow one another. */
  add(lines) {
    for (const line of lines) {
      if (this.lines[line.seq]) continue;
      const previous = this.lines[line.seq - 1];
      const parser = new AnsiParser();
      if (previous?.carry) Object.assign(parser, previous.carry);
      const long = line.text.length > CUT;
      const shown = long ? line.text.slice(0, CUT) : line.text;
      const item = { seq: line.seq, step: line.step, at: Date.parse(line.at), text: shown, length: line.text.length };
      if (shown.includes('\u001b') || parser.carries) {
        item.segs = parser.parse(shown);
        if (long) parser.parse(line.text.slice(CUT));
        if (parser.carries) item.carry = { style: parser.style, pending: parser.pending };
      }
      const bare = item.segs ? item.segs.map((s) => s.text).join('') : shown;
      const marker = /^::(group|endgroup)::(.*)$/.exec(bare);
      if (marker) item.marker = { kind: marker[1], title: marker[2] };
      this.lines[line.seq] = item;
    }
  }

  // ---- structure: steps, groups and gaps, flattened into rows by what is open ----

  sections() {
    const top = [];
    const byStep = new Map();
    const stepSection = (index) => {
      let section = byStep.get(index);
      if (!section) {
        const step = this.steps.get(index) ?? { index, name: `Step ${index}`, status: '' };
        section = { kind: 'step', key: `s${index}`, step, items: [], depth: 0, parent: null };
        byStep.set(index, section);
        top.push(section);
      }
      return section;
    };
    this.began = new Map();
    let current = null; // innermost open section
    let gapFrom = 0;
    for (let seq = 1; seq <= this.last; seq++) {
      const line = this.lines[seq];
      if (!line) {
        if (!gapFrom) gapFrom = seq;
        continue;
      }
      if (gapFrom) {
        (current ?? { items: top }).items.push({ kind: 'gap', from: gapFrom, to: seq - 1 });
        gapFrom = 0;
      }
      if (!current || stepOf(current).step.index !== line.step) current = stepSection(line.step);
      if (!this.began.has(line.step)) this.began.set(line.step, line.at);
      if (line.marker?.kind === 'group') {
        const group = { kind: 'group', key: `g${seq}`, title: line.marker.title, seq, items: [], depth: current.depth + 1, parent: current };
        current.items.push(group);
        current = group;
        this.sectionOf[seq] = group;
        continue;
      }
      if (line.marker?.kind === 'endgroup' && current.kind === 'group') {
        // The marker closes the section; shown, it would only repeat what the fold already says.
        this.sectionOf[seq] = current;
        current = current.parent;
        continue;
      }
      this.sectionOf[seq] = current;
      current.items.push(seq);
    }
    if (gapFrom) (current ?? { items: top }).items.push({ kind: 'gap', from: gapFrom, to: this.last });
    for (const step of [...this.steps.values()].sort((a, b) => a.index - b.index)) {
      if (byStep.has(step.index)) continue;
      const section = { kind: 'step', key: `s${step.index}`, step, items: [], depth: 0, parent: null };
      byStep.set(step.index, section);
      const after = top.findLastIndex((s) => s.kind === 'step' && s.step.index < step.index);
      top.splice(after + 1, 0, section);
    }
    return top;
  }

  isOpen(section) {
    if (this.open.has(section.key)) return this.open.get(section.key);
    if (section.kind === 'group') return false;
    return section.step.status !== 'succeeded' && section.step.status !== 'skipped';
  }

  flatten() {
    const rows = [];
    const walk = (items, depth) => {
      for (const item of items) {
        if (typeof item === 'number') rows.push({ kind: 'line', seq: item, depth });
        else if (item.kind === 'gap') rows.push({ kind: 'gap', from: item.from, to: item.to, depth });
        else {
          rows.push({ kind: item.kind, section: item, depth: item.depth, seq: item.seq });
          if (this.isOpen(item)) walk(item.items, item.depth + 1);
        }
      }
    };
    walk(this.sections(), 0);
    return rows;
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
    this.rows = this.flatten();
    this.body.style.height = `${this.rows.length * ROW}px`;
    if (this.follow) this.toBottom();
    this.paint(true);
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

  renderRow(row) {
    const el = this.el;
    const node = el('div', `log-row log-${row.kind}`);
    node.style.setProperty('--depth', String(row.depth));
    if (row.kind === 'gap') {
      node.textContent = `Loading lines ${row.from}–${row.to}…`;
      return node;
    }
    if (row.kind === 'step' || row.kind === 'group') {
      const section = row.section;
      const open = this.isOpen(section);
      node.dataset.key = section.key;
      node.setAttribute('role', 'button');
      node.setAttribute('aria-expanded', String(open));
      node.tabIndex = 0;
      node.append(el('span', 'log-fold', open ? '▾' : '▸'));
      if (section.kind === 'step') {
        const step = section.step;
        node.classList.add(`log-step-${step.status || 'pending'}`);
        node.append(el('span', 'log-step-status', statusWord(step.status)), el('span', 'log-step-name', step.name));
        if (step.duration !== undefined && step.duration !== null) node.append(el('span', 'log-step-duration', duration(step.duration)));
        const raw = el('a', 'log-step-raw', 'raw');
        raw.href = `${this.base}/log.txt?step=${step.index}`;
        raw.setAttribute('download', '');
        node.append(raw);
      } else {
        const line = this.lines[section.seq];
        const number = el('a', 'log-ln', String(section.seq));
        number.href = `#L${section.seq}`;
        node.dataset.seq = String(section.seq);
        if (section.seq === this.selected) node.classList.add('log-selected');
        node.prepend(number, el('span', 'log-time', this.time(line)));
        node.append(el('span', 'log-group-title', section.title));
      }
      return node;
    }
    const line = this.lines[row.seq];
    node.dataset.seq = String(row.seq);
    if (row.seq === this.selected) node.classList.add('log-selected');
    if (this.hitSet?.has(row.seq)) node.classList.add(this.hits[this.hit] === row.seq ? 'log-hit-current' : 'log-hit');
    const number = el('a', 'log-ln', String(row.seq));
    number.href = `#L${row.seq}`;
    node.append(number, el('span', 'log-time', this.time(line)));
    const text = el('span', 'log-text');
    if (line.segs) appendSegments(text, line.segs);
    else text.textContent = line.text;
    node.append(text);
    if (line.length > line.text.length) {
      const more = el('a', 'log-cut', ` … ${line.length - line.text.length} more characters: raw text`);
      more.href = `${this.base}/log.txt?step=${line.step}`;
      more.target = '_blank';
      node.append(more);
    }
    return node;
  }

  time(line) {
    if (this.clock === 'wall') return new Date(line.at).toISOString().slice(11, 23);
    const step = this.steps.get(line.step);
    let began = step?.startedAt ? Date.parse(step.startedAt) : Number.NaN;
    if (Number.isNaN(began)) began = this.began.get(line.step) ?? line.at;
    return `+${duration((line.at - began) / 1000, true)}`;
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
      this.open.set(key, !this.isOpen(section));
      this.refresh();
    }
  }

  findSection(key) {
    const stack = [...this.sections()];
    while (stack.length) {
      const s = stack.pop();
      if (typeof s !== 'object' || s.kind === 'gap') continue;
      if (s.key === key) return s;
      stack.push(...s.items.filter((i) => typeof i === 'object'));
    }
    return null;
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

function stepOf(section) {
  let s = section;
  while (s.parent) s = s.parent;
  return s;
}

function statusWord(status) {
  const icons = { succeeded: '✓ passed', failed: '✗ failed', running: '● running', skipped: '– skipped', cancelled: '⊘ cancelled' };
  return icons[status] ?? (status ? status : '○ pending');
}

function duration(seconds, exact = false) {
  if (!Number.isFinite(seconds)) return '';
  if (seconds < 60) return exact ? `${seconds.toFixed(3)}s` : `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)}s`;
  const m = Math.floor(seconds / 60);
  const s = seconds - m * 60;
  return exact ? `${m}m${s.toFixed(3).padStart(6, '0')}s` : `${m}m${String(Math.round(s)).padStart(2, '0')}s`;
}

export { plainText };
