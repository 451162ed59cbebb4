// Line handling that keeps a file's own line endings and final-newline choice through an edit.

// A text file split into lines, with the line ending style and final newline remembered.
export interface TextLines {
  lines: string[];
  eol: '\n' | '\r\n';
  finalNewline: boolean;
}

// Split text into lines, remembering CRLF vs LF and whether the file ended with a newline.
export function splitLines(text: string): TextLines {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const finalNewline = text.length === 0 || text.endsWith('\n');
  const body = finalNewline && text.length > 0 ? text.slice(0, text.endsWith('\r\n') ? -2 : -1) : text;
  const lines = body.length === 0 && text.length === 0 ? [] : body.split(/\r?\n/);
  return { lines, eol, finalNewline };
}

// Join lines back with the remembered line ending and final-newline choice.
export function joinLines({ lines, eol, finalNewline }: TextLines): string {
  if (lines.length === 0) return '';
  return lines.join(eol) + (finalNewline ? eol : '');
}
