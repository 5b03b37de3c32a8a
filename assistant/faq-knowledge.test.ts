import { describe, expect, it } from 'vitest';
import { loadFaq, parseFaq } from './faq-knowledge.ts';

describe('faq.yaml', () => {
  it('the built-in file loads, and every topic answers in Chinese and English', () => {
    const entries = loadFaq();
    expect(entries.map((e) => e.topic)).toEqual(['return_policy', 'shipping_times', 'shipping_costs', 'payment_methods', 'opening_hours', 'damaged_goods', 'invoice']);
    for (const e of entries) {
      expect(e.answer.en.length, e.topic).toBeGreaterThan(20);
      expect(e.answer.zh ?? '', e.topic).toMatch(/\p{Script=Han}/u);
    }
    expect(entries.find((e) => e.topic === 'damaged_goods')?.handover).toBe(true);
  });

  it('names the entry and the field of a bad file', () => {
    expect(() => parseFaq({ entries: [{ topic: 'Returns', match: { en: ['x'] }, answer: { zh: '只有中文' } }] }, 'my-faq.yaml')).toThrow(
      'my-faq.yaml is not a valid FAQ file:\n  - entries.0.topic: must be lower-case letters, digits and underscores, like "return_policy"\n  - entries.0.answer.en: Invalid input: expected string, received undefined',
    );
    expect(() => parseFaq({ entries: [{ topic: 'returns', match: { en: ['(unclosed'] }, answer: { en: 'x' } }] }, 'my-faq.yaml')).toThrow(/my-faq.yaml: entries.0 \(returns\) has pattern #1 "\(unclosed", which is not a regular expression/);
    expect(() => loadFaq('/nonexistent/faq.yaml')).toThrow(expect.objectContaining({ code: 'ASSIST_ERR_FAQ_INVALID' }));
  });
});
