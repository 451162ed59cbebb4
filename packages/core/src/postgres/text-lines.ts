// Line handling that keeps every line's own ending (LF or CRLF, even mixed) and the final-newline choice
// through an edit, so lines the tool does not own come back byte for byte.

// A text file split into lines; endings[i] is the terminator after lines[i] ('' for a last line without one).
export interface TextLines {
  lines: string[];
  endings: string[];
  // The ending new lines get: the file's most common one.
  eol: '\n' | '\r\n';
}

// Split text into lines, remembering each line's ending.
export function splitLines(text: string): TextLines {
  const lines: string[] = [];
  const endings: string[] = [];
  const re = /\r?\n/g;
  let start = 0;
  let crlf = 0;
  let lf = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    lines.push(text.slice(start, m.index));
    endings.push(m[0]);
    if (m[0] === '\r\n') crlf++;
    else lf++;
    start = m.index + m[0].length;
  }
  if (start < text.length) {
    lines.push(text.slice(start));
    endings.push('');
  }
  return { lines, endings, eol: crlf > lf ? '\r\n' : '\n' };
}

// Join lines back with their own endings.
export function joinLines(text: TextLines): string {
  return text.lines.map((line, i) => line + (text.endings[i] ?? text.eol)).join('');
}

// Replace lines like Array.splice. Inserted lines get the file's usual ending. A file that did not end with a
// newline still does not after the edit (so inserting a block and removing it again restores the bytes).
export function spliceLines(text: TextLines, start: number, deleteCount: number, ...inserted: string[]): void {
  const unterminated = text.endings.length > 0 && text.endings[text.endings.length - 1] === '';
  const touchesEnd = start + deleteCount >= text.lines.length;
  text.lines.splice(start, deleteCount, ...inserted);
  text.endings.splice(start, deleteCount, ...inserted.map(() => text.eol));
  if (unterminated && touchesEnd && text.endings.length > 0) {
    for (let i = 0; i < text.endings.length - 1; i++) if (text.endings[i] === '') text.endings[i] = text.eol;
    text.endings[text.endings.length - 1] = '';
  }
}

// Replace the content of one line, keeping its ending.
export function setLine(text: TextLines, index: number, line: string): void {
  text.lines[index] = line;
}
