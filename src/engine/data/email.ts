/**
 * Raw RFC 822 email → a short readable text for classification: the subject and the start of the body,
 * with headers, MIME structure, transfer encodings, HTML, URLs and quoted replies removed. Pure string
 * work (no Node APIs), so the bundle builder and any future in-browser importer share it.
 */

const MAX_SUBJECT_CHARS = 150;

interface Part {
  headers: Map<string, string>;
  body: string;
}

/**
 * `"{subject} {first ~maxBodyChars characters of the body}"`, white space collapsed; an empty string
 * when neither has any words.
 */
export function emailToText(raw: string, maxBodyChars = 300): string {
  const mail = splitPart(raw.replace(/\r\n?/g, '\n'));
  // A few spam subjects run to a paragraph; cap them so the body still gets its share.
  const subject = clip(cleanInline(decodeWords(mail.headers.get('subject') ?? '')), MAX_SUBJECT_CHARS);
  const body = clip(cleanInline(dropNoiseLines(bodyText(mail, 0))), maxBodyChars);
  return collapse(`${subject} ${body}`);
}

/** Headers (lower-cased names, folded lines joined, first value kept) and body of one message or part. */
function splitPart(text: string): Part {
  // A MIME part may have no headers at all: it then starts with the blank line.
  if (text.startsWith('\n')) return { headers: new Map(), body: text.slice(1) };
  const cut = text.search(/\n\s*\n/);
  const head = cut < 0 ? text : text.slice(0, cut);
  const body = cut < 0 ? '' : text.slice(cut).replace(/^\n\s*\n/, '');
  const headers = new Map<string, string>();
  // A header line that starts with white space continues the previous one (RFC 822 folding).
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const m = /^([!-9;-~]+):\s*(.*)$/.exec(line);
    if (m && !headers.has(m[1]!.toLowerCase())) headers.set(m[1]!.toLowerCase(), m[2]!);
  }
  return { headers, body };
}

/** The readable text of a part: text/plain preferred, HTML stripped, multipart searched (depth-capped). */
function bodyText(part: Part, depth: number): string {
  const type = (part.headers.get('content-type') ?? 'text/plain').toLowerCase();
  if (type.startsWith('multipart/') && depth < 5) {
    const boundary = /boundary\s*=\s*"?([^";]+)"?/i.exec(part.headers.get('content-type') ?? '')?.[1];
    if (boundary) {
      const pieces = part.body.split(`--${boundary}`).slice(1).filter((p) => !p.startsWith('--'));
      const parts = pieces.map((p) => splitPart(p.replace(/^[ \t]*\n/, '')));
      const isType = (p: Part, t: string) => (p.headers.get('content-type') ?? 'text/plain').toLowerCase().startsWith(t);
      const chosen = parts.find((p) => isType(p, 'text/plain')) ?? parts.find((p) => isType(p, 'text/html')) ?? parts.find((p) => isType(p, 'multipart/'));
      return chosen ? bodyText(chosen, depth + 1) : '';
    }
  }
  if (!type.startsWith('text/') && !type.startsWith('multipart/')) return ''; // attachments, images
  const charset = /charset\s*=\s*"?([^";\s]+)"?/i.exec(type)?.[1];
  const decoded = decodeTransfer(part.body, part.headers.get('content-transfer-encoding') ?? '', charset);
  return type.startsWith('text/html') || /<(html|body|p|br|div|table|font)\b/i.test(decoded) ? stripHtml(decoded) : decoded;
}

function decodeTransfer(body: string, encoding: string, charset?: string): string {
  const enc = encoding.trim().toLowerCase();
  if (enc === 'quoted-printable') return bytesToText(quotedPrintableBytes(body), charset);
  if (enc === 'base64') {
    try {
      return bytesToText(Uint8Array.from(atob(body.replace(/[^A-Za-z0-9+/=]/g, '')), (c) => c.charCodeAt(0)), charset);
    } catch {
      return '';
    }
  }
  // 7-bit ISO-2022 (Japanese, Korean) mail switches character sets with escape codes: decode it too.
  if (charset && /^iso-2022/i.test(charset) && /^[\x00-\x7f]*$/.test(body)) return bytesToText(Uint8Array.from(body, (c) => c.charCodeAt(0)), charset);
  return body;
}

function quotedPrintableBytes(s: string): Uint8Array {
  const joined = s.replace(/=\n/g, ''); // soft line breaks
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const hex = joined[i] === '=' ? /^[0-9A-Fa-f]{2}$/.exec(joined.slice(i + 1, i + 3))?.[0] : undefined;
    if (hex) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      const code = joined.charCodeAt(i);
      // Characters outside Latin-1 were never encoded; keep them as UTF-8.
      if (code < 256) bytes.push(code);
      else bytes.push(...new TextEncoder().encode(joined[i]));
    }
  }
  return Uint8Array.from(bytes);
}

function bytesToText(bytes: Uint8Array, charset = 'utf-8'): string {
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return new TextDecoder('latin1').decode(bytes); // an unknown charset name
  }
}

/** RFC 2047 encoded words in headers: `=?utf-8?Q?Caf=C3=A9?=` → `Café`. */
function decodeWords(s: string): string {
  return s.replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_m, charset: string, kind: string, text: string) => {
    try {
      const bytes =
        kind.toUpperCase() === 'B'
          ? Uint8Array.from(atob(text), (c) => c.charCodeAt(0))
          : quotedPrintableBytes(text.replace(/_/g, ' '));
      return bytesToText(bytes, charset);
    } catch {
      return text;
    }
  });
}

const ENTITIES: Record<string, string> = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", copy: '©', reg: '®', trade: '™', middot: '·', bull: '•', hellip: '…', mdash: '—', ndash: '–' };

/** Tags, comments, styles and scripts out; entities decoded. */
export function stripHtml(html: string): string {
  return decodeEntities(
    html
      .replace(/<!--[\s\S]*?-->/g, ' ')
      .replace(/<(head|style|script|title)\b[\s\S]*?<\/\1\s*>/gi, ' ')
      .replace(/<(br|p|div|tr|li|h\d)\b[^>]*>/gi, '\n')
      .replace(/<[^>]*>/g, ' '),
  );
}

const ACCENTS: Record<string, string> = { acute: '\u0301', grave: '\u0300', circ: '\u0302', uml: '\u0308', tilde: '\u0303', cedil: '\u0327', ring: '\u030a' };

/** HTML character references: named (the common ones), decimal and hex. */
export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : ' ';
    }
    const accented = /^([a-z])(acute|grave|circ|uml|tilde|cedil|ring)$/i.exec(e);
    if (accented) return (accented[1]! + ACCENTS[accented[2]!.toLowerCase()]!).normalize('NFC'); // &eacute; → é
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

/** Lines that say nothing about spam-ness: quoted replies, forwarded headers, signatures' armour. */
function dropNoiseLines(text: string): string {
  return text
    .split('\n')
    .filter((line) => {
      const l = line.trim();
      return !(
        l.startsWith('>') || // quoted reply
        /^-----(BEGIN|END) PGP/.test(l) ||
        /^Hash: /.test(l) ||
        /^--[-=_A-Za-z0-9.]{6,}$/.test(l) || // stray MIME boundary
        /^(content-[a-z-]+|mime-version):/i.test(l) ||
        /^(from|to|cc|sent|date|subject|reply-to):\s/i.test(l) || // headers of a forwarded message
        /^-*\s*original message\s*-*$/i.test(l) ||
        /^(on .* wrote:|.* writes:)$/i.test(l)
      );
    })
    .join('\n');
}

/** Noise inside lines: tags, URLs, addresses, entities, rules of repeated symbols, control characters. */
function cleanInline(text: string): string {
  return collapse(
    decodeEntities(text)
      .replace(/<[^>\n]{0,200}>/g, ' ') // left-over tags in a text part, and <addresses>
      .replace(/\b(?:https?|ftp):\/\/\S+|\bwww\.\S+/gi, ' ')
      .replace(/\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g, ' ')
      .replace(/([-=_*#~+.|\\/])\1{2,}/g, ' ') // rules like ====== or ******
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u200b-\u200f\ufeff\ufffd]/g, ' '),
  );
}

function collapse(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** The first `max` characters, cut back to the last whole word. */
function clip(text: string, max: number): string {
  const t = collapse(text);
  if (t.length <= max) return t;
  const cut = t.slice(0, max + 1);
  const space = cut.lastIndexOf(' ');
  return (space > max * 0.6 ? cut.slice(0, space) : t.slice(0, max)).trim();
}
