// SGR (colour and emphasis) escape sequences of terminal output, turned into styled spans.
// A parser carries its style and any unfinished escape sequence from one chunk (or line) to the next, so output that
// split a sequence in two still renders as the terminal would have shown it. Other escape sequences are dropped.

const ESC = '\u001b';

// The 16 colours: xterm's defaults, a little softened for a dark background.
export const PALETTE = [
  '#1e1e1e', '#e0605a', '#6cc06c', '#d7b450', '#5c9ee6', '#c678dd', '#4fbfbf', '#d0d0d0',
  '#7a7a7a', '#ff7b72', '#8ee08e', '#f0d070', '#82b8ff', '#e09cf0', '#70e0e0', '#ffffff',
];

/** The style no sequence has changed. */
export function plainStyle() {
  return { fg: null, bg: null, bold: false, dim: false, italic: false, underline: false, inverse: false, strike: false };
}

function isPlain(s) {
  return s.fg === null && s.bg === null && !s.bold && !s.dim && !s.italic && !s.underline && !s.inverse && !s.strike;
}

/** The colour of a 256-colour index: the 16, a 6×6×6 cube, then 24 greys. */
export function color256(n) {
  if (n < 16) return PALETTE[n];
  if (n < 232) {
    const i = n - 16;
    const level = (v) => (v === 0 ? 0 : 55 + v * 40);
    return rgb(level(Math.floor(i / 36)), level(Math.floor(i / 6) % 6), level(i % 6));
  }
  const grey = 8 + (n - 232) * 10;
  return rgb(grey, grey, grey);
}

function rgb(r, g, b) {
  return `rgb(${r}, ${g}, ${b})`;
}

function clampByte(v) {
  return Math.max(0, Math.min(255, v | 0));
}

/** Applies one SGR sequence's parameters (as written between "ESC [" and "m") to a copy of the style. */
export function applySgr(style, params) {
  const s = { ...style };
  const codes = params === '' ? [0] : params.split(/[;:]/).map((p) => (p === '' ? 0 : Number.parseInt(p, 10)));
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (Number.isNaN(c)) continue;
    if (c === 0) Object.assign(s, plainStyle());
    else if (c === 1) s.bold = true;
    else if (c === 2) s.dim = true;
    else if (c === 3) s.italic = true;
    else if (c === 4) s.underline = true;
    else if (c === 7) s.inverse = true;
    else if (c === 9) s.strike = true;
    else if (c === 21 || c === 22) { s.bold = false; s.dim = false; }
    else if (c === 23) s.italic = false;
    else if (c === 24) s.underline = false;
    else if (c === 27) s.inverse = false;
    else if (c === 29) s.strike = false;
    else if (c >= 30 && c <= 37) s.fg = PALETTE[c - 30];
    else if (c === 39) s.fg = null;
    else if (c >= 40 && c <= 47) s.bg = PALETTE[c - 40];
    else if (c === 49) s.bg = null;
    else if (c >= 90 && c <= 97) s.fg = PALETTE[c - 90 + 8];
    else if (c >= 100 && c <= 107) s.bg = PALETTE[c - 100 + 8];
    else if (c === 38 || c === 48) {
      let value = null;
      if (codes[i + 1] === 5 && i + 2 < codes.length) {
        value = color256(clampByte(codes[i + 2]));
        i += 2;
      } else if (codes[i + 1] === 2 && i + 4 < codes.length) {
        value = rgb(clampByte(codes[i + 2]), clampByte(codes[i + 3]), clampByte(codes[i + 4]));
        i += 4;
      } else {
        break;
      }
      if (c === 38) s.fg = value; else s.bg = value;
    }
  }
  return s;
}

/**
 * Reads output chunk by chunk. parse(text) answers the chunk's segments ({ text, style }), with the escape sequences
 * taken out; a sequence the chunk ends inside is kept and finished by the next chunk.
 */
export class AnsiParser {
  constructor() {
    this.style = plainStyle();
    this.pending = '';
  }

  reset() {
    this.style = plainStyle();
    this.pending = '';
  }

  /** True when the next chunk starts in a style of its own or inside a sequence. */
  get carries() {
    return this.pending !== '' || !isPlain(this.style);
  }

  parse(chunk) {
    const text = this.pending + chunk;
    this.pending = '';
    const segments = [];
    let plain = '';
    const flush = () => {
      if (plain !== '') {
        segments.push({ text: plain, style: this.style });
        plain = '';
      }
    };
    let i = 0;
    while (i < text.length) {
      const ch = text[i];
      if (ch !== ESC) {
        // Other C0 controls than tab would move a terminal's cursor; shown, they are noise.
        if (ch >= ' ' || ch === '\t') plain += ch;
        i++;
        continue;
      }
      const end = sequenceEnd(text, i);
      if (end < 0) {
        this.pending = text.slice(i);
        break;
      }
      if (text[i + 1] === '[' && text[end - 1] === 'm') {
        const params = text.slice(i + 2, end - 1);
        if (/^[0-9;:]*$/.test(params)) {
          flush();
          this.style = applySgr(this.style, params);
        }
      }
      i = end;
    }
    flush();
    return segments;
  }
}

/** Where the escape sequence starting at i ends (the index after it), or -1 when the text ends inside it. */
function sequenceEnd(text, i) {
  if (i + 1 >= text.length) return -1;
  const kind = text[i + 1];
  if (kind === '[') {
    for (let j = i + 2; j < text.length; j++) {
      const c = text.charCodeAt(j);
      if (c >= 0x40 && c <= 0x7e) return j + 1;
      if (c < 0x20 || c > 0x3f) return j; // not a CSI sequence after all: drop what came so far
    }
    return -1;
  }
  if (kind === ']' || kind === 'P' || kind === '_' || kind === '^') {
    for (let j = i + 2; j < text.length; j++) {
      if (text[j] === '\u0007') return j + 1;
      if (text[j] === ESC) {
        if (j + 1 >= text.length) return -1;
        if (text[j + 1] === '\\') return j + 2;
      }
    }
    return -1;
  }
  return i + 2;
}

/** The CSS of a style, as properties to set on a span; null for the plain style. */
export function cssOf(style) {
  if (isPlain(style)) return null;
  const css = {};
  let fg = style.fg;
  let bg = style.bg;
  if (style.inverse) {
    [fg, bg] = [bg ?? 'var(--log-bg, #111)', fg ?? 'var(--log-fg, #d0d0d0)'];
  }
  if (fg) css.color = fg;
  if (bg) css.backgroundColor = bg;
  if (style.bold) css.fontWeight = 'bold';
  if (style.dim) css.opacity = '0.6';
  if (style.italic) css.fontStyle = 'italic';
  const lines = [style.underline ? 'underline' : '', style.strike ? 'line-through' : ''].filter(Boolean);
  if (lines.length) css.textDecoration = lines.join(' ');
  return css;
}

/** Appends the segments to parent as text nodes and styled spans: the text is never read as HTML. */
export function appendSegments(parent, segments) {
  const doc = parent.ownerDocument;
  for (const segment of segments) {
    const css = cssOf(segment.style);
    if (!css) {
      parent.appendChild(doc.createTextNode(segment.text));
      continue;
    }
    const span = doc.createElement('span');
    Object.assign(span.style, css);
    span.textContent = segment.text;
    parent.appendChild(span);
  }
}

/** The text as a person reads it: escape sequences and other control characters taken out. */
export function plainText(text) {
  if (!text.includes(ESC)) return text;
  return new AnsiParser().parse(text).map((s) => s.text).join('');
}
