// The content as echo( lines, cmd's special characters escaped (for a block redirected to a file or piped).
export function echoLines(content: string): string[] {
  const body = content.endsWith('\n') ? content.slice(0, -1) : content;
  const escaped = (line: string) =>
    line
      .replace(/\^/g, '^^')
      .replace(/[&|<>()]/g, (c) => `^${c}`)
      .replace(/%/g, '%%');
  return body.split('\n').map((l) => `echo(${escaped(l)}`);
}
