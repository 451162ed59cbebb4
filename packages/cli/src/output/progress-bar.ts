import type { ProgressListener } from '@hotstandby/core';

// A download progress display: a redrawn bar on a terminal, a line per quarter otherwise (CI logs).
export function progressBar(stream: NodeJS.WriteStream = process.stderr): ProgressListener {
  let lastQuarter = -1;
  let lastDraw = 0;
  return (received, total, label) => {
    const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
    const fraction = total ? received / total : undefined;
    if (stream.isTTY) {
      const now = Date.now();
      if (now - lastDraw < 80 && received !== total) return;
      lastDraw = now;
      const width = 30;
      const filled = fraction === undefined ? 0 : Math.round(fraction * width);
      const bar = fraction === undefined ? '' : `[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${Math.round(fraction * 100)}% `;
      stream.write(`\r${bar}${mb(received)}${total ? `/${mb(total)}` : ''} MB  ${label}`);
      if (total && received >= total) stream.write('\n');
      return;
    }
    const quarter = fraction === undefined ? -1 : Math.floor(fraction * 4);
    if (quarter > lastQuarter) {
      lastQuarter = quarter;
      stream.write(`downloading ${label}: ${Math.round((fraction ?? 0) * 100)}% of ${total ? mb(total) : '?'} MB\n`);
    }
  };
}
