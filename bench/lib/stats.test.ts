import { describe, expect, it } from 'vitest';
import { markdownTable, median, percentile } from './stats.ts';

describe('bench stats', () => {
  it('computes nearest-rank percentiles', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i); // 1..100, unsorted
    expect(percentile(samples, 50)).toBe(50);
    expect(percentile(samples, 99)).toBe(99);
    expect(percentile(samples, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
    expect(median([3, 1, 2])).toBe(2);
  });

  it('renders a Markdown table', () => {
    expect(markdownTable([{ a: 1, b: 'x' }, { a: 2, b: 'y' }])).toBe('| a | b |\n| --- | --- |\n| 1 | x |\n| 2 | y |');
  });
});
