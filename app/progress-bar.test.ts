import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgressBar } from './progress-bar.ts';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  const out = Object.assign(new Writable({ write(c, _e, cb) { chunks.push(String(c)); cb(); } }), { isTTY });
  return { out, text: () => chunks.join('') };
}

describe('progress bar', () => {
  it('redraws one line in place on a terminal, with the share done', () => {
    const s = sink(true);
    const bar = createProgressBar(s.out);
    bar.update('shop.orders', 250, 1000);
    bar.update('shop.orders', 1000, 1000);
    bar.done('rebuilt 1,000 rows');
    expect(s.text()).toContain('\r\x1b[2Kshop.orders [#######---------------------] 25% 250/1,000');
    expect(s.text()).toContain('[############################] 100% 1,000/1,000');
    expect(s.text().endsWith('\r\x1b[2Krebuilt 1,000 rows\n')).toBe(true);
  });

  it('writes a line every few seconds (and the last) when not a terminal, and counts when the total is unknown', () => {
    const s = sink(false);
    let t = 0;
    const bar = createProgressBar(s.out, () => t, 2_000);
    bar.update('crm.contacts', 100, null); // first line at once
    t = 500;
    bar.update('crm.contacts', 200, null); // too soon
    t = 2_600;
    bar.update('crm.contacts', 300, null);
    expect(s.text()).toBe('crm.contacts 100 rows\ncrm.contacts 300 rows\n');
  });
});
