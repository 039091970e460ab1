// How a job's lines are held and shaped: each line parsed for colour once, steps and ::group:: sections built in order of
// sequence, and the rows the reader sees flattened from what is open. Methods of the viewer (mixed into it).
import { AnsiParser } from './ansi.js';

const CUT = 10000; // characters of one line shown; the rest is in the raw text

export const structure = {
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
  },

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
  },

  isOpen(section) {
    if (this.open.has(section.key)) return this.open.get(section.key);
    if (section.kind === 'group') return false;
    return section.step.status !== 'succeeded' && section.step.status !== 'skipped';
  },

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
  },

  findSection(key) {
    const stack = [...this.sections()];
    while (stack.length) {
      const s = stack.pop();
      if (typeof s !== 'object' || s.kind === 'gap') continue;
      if (s.key === key) return s;
      stack.push(...s.items.filter((i) => typeof i === 'object'));
    }
    return null;
  },

};

function stepOf(section) {
  let s = section;
  while (s.parent) s = s.parent;
  return s;
}

