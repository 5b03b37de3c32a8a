import { describe, expect, it } from 'vitest';
import { CLEARLY_NEGATIVE, sentimentScore } from './sentiment.ts';
import { normalize } from './text-features.ts';

const clearlyNegative = (text: string) => sentimentScore(normalize(text)) <= CLEARLY_NEGATIVE;

describe('sentiment lexicon', () => {
  it('clearly negative in English and Chinese', () => {
    for (const t of ['This is unacceptable', 'you are scammers', '垃圾服务', '你们就是骗子！', 'I am so angry!!', '太失望了!!']) expect(clearlyNegative(t), t).toBe(true);
  });

  it('mild, negated or neutral messages stay below the line', () => {
    for (const t of ['my parcel is late', "I'm not angry, just asking", 'the crab arrived dead', '退款还没到账', 'where is my order?', 'I am a bit disappointed']) expect(clearlyNegative(t), t).toBe(false);
  });

  it('full-width punctuation counts like ASCII (NFKC)', () => {
    expect(sentimentScore(normalize('太慢了！！'))).toBe(sentimentScore(normalize('太慢了!!')));
  });
});
