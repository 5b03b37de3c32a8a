// A one-line progress bar for long CLI work: redrawn in place on a terminal, a line every few seconds otherwise
// (CI logs), always a final line. Written to stderr so stdout stays for results.
export interface ProgressBar {
  update(label: string, done: number, total: number | null): void;
  done(summary: string): void;
}

const WIDTH = 28;
const fmt = (n: number) => n.toLocaleString('en-US');

export function createProgressBar(out: NodeJS.WritableStream & { isTTY?: boolean }, now: () => number = Date.now, everyMs = 2_000): ProgressBar {
  const tty = out.isTTY === true;
  let lastLine = Number.NEGATIVE_INFINITY;
  let drawn = false;
  const render = (label: string, done: number, total: number | null) => {
    if (total === null || total === 0) return `${label} ${fmt(done)} rows`;
    const ratio = Math.min(1, done / total);
    const filled = Math.round(ratio * WIDTH);
    return `${label} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${Math.floor(ratio * 100)}% ${fmt(done)}/${fmt(total)}`;
  };
  return {
    update(label, done, total) {
      const line = render(label, done, total);
      if (tty) {
        out.write(`\r\x1b[2K${line}`);
        drawn = true;
      } else if (now() - lastLine >= everyMs || (total !== null && done >= total)) {
        out.write(`${line}\n`);
        lastLine = now();
      }
    },
    done(summary) {
      out.write(`${tty && drawn ? '\r\x1b[2K' : ''}${summary}\n`);
    },
  };
}
