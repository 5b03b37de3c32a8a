// Built-in plugin "small-talk": greetings, thanks and goodbyes, answered briefly so that "hi" followed by "thanks"
// does not count as two questions the assistant could not answer. Only a message that is nothing but small talk is
// confident; a greeting in front of a real question leaves the question to its plugin.
import type { IntentPlugin } from '../intent-plugin.ts';

const GREETING = /^(hi|hello|hey|hallo|good (morning|afternoon|evening)|hiya|yo|morning|你好|您好|嗨|哈喽|在吗|在不在|有人吗|早上好|下午好|晚上好)/;
const THANKS = /^((great|perfect|ok|okay|cool|awesome|好的),? ?)?(thanks?|thank you|thx|ty|cheers|谢谢|多谢|感谢)|^(ok|okay|好的)$/;
const BYE = /^(bye|goodbye|see you|have a nice day|再见|拜拜|没事了)/;
const FILLER = /^[\p{P}\p{S}\s]*$/u;

export const smallTalkPlugin = {
  name: 'small-talk',
  description: 'Greetings, thanks and goodbyes, answered briefly.',
  intents: ['small_talk'],
  priority: 10,
  detect(_text, ctx) {
    const t = ctx.normalized;
    for (const [kind, pattern] of [['greeting', GREETING], ['thanks', THANKS], ['bye', BYE]] as const) {
      const m = pattern.exec(t);
      if (m === null) continue;
      const rest = t.slice(m[0].length).trim().replace(/^(there|team|again|a lot|so much|very much|all|for (the|your) help|啊|呀|哦|哈)/, '');
      const alone = FILLER.test(rest);
      return [{ intent: 'small_talk', confidence: alone ? 0.9 : 0.3, slots: { kind } }];
    }
    return [];
  },
  respond(detection, ctx) {
    const zh = ctx.language === 'zh';
    const kind = detection.slots?.kind;
    const text =
      kind === 'thanks'
        ? zh ? '不客气！还有什么可以帮您？' : "You're welcome! Anything else I can help with?"
        : kind === 'bye'
          ? zh ? '再见，祝您愉快！' : 'Goodbye, have a nice day!'
          : zh ? '您好！我可以帮您查询订单、退款和物流，或解答退货、配送、付款等问题。' : 'Hello! I can check your orders, refunds and deliveries, or answer questions about returns, shipping and payment.';
    return { messages: [text], actions: [] };
  },
} satisfies IntentPlugin;
