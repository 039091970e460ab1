// One row of the viewer as DOM nodes: a step's or a group's header, a line (number, time, coloured text), or lines not
// loaded yet. Methods of the viewer (mixed into it); text is always set as text, never as HTML.
import { appendSegments } from './ansi.js';

export const rendering = {
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
  },

  time(line) {
    if (this.clock === 'wall') return new Date(line.at).toISOString().slice(11, 23);
    const step = this.steps.get(line.step);
    let began = step?.startedAt ? Date.parse(step.startedAt) : Number.NaN;
    if (Number.isNaN(began)) began = this.began.get(line.step) ?? line.at;
    return `+${duration((line.at - began) / 1000, true)}`;
  },

};

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

