// Built-in plugin "refund": where a refund stands (refund_status), from the order's payment in the profile, and
// requests for one (refund_request), which become a proposal to the agent — the assistant never refunds.
import { formatMoney, noOrderSentence, pickOrder, withAsOf } from '../answer-helpers.ts';
import type { Detection, IntentPlugin } from '../intent-plugin.ts';
import { confidenceOf, orderNumbersIn, scoreCues, type Cue } from '../text-features.ts';

const REFUND_WORD: readonly Cue[] = [
  { pattern: /\brefund\w*\b|\bmoney back\b|\breimburs\w*\b/, weight: 1 },
  { pattern: /(退款|退钱|退的钱|钱退|退回的钱|退了(没|吗|么))/, weight: 1 },
];

const STATUS_CUES: readonly Cue[] = [
  {
    pattern:
      /\b(refund\w*|money back|my money)\b.{0,40}\b(status|receive[d]?|gone through|go through|went through|processed|yet|still|arrive[d]?|back on|credited|show(ed)? up|pending|taking|take so long|come through|came through|on its way|been sent|issued|approved)\b|\b(where|when)('s| is| will| do)? (is )?(my|the) (refund|money)\b|\b(haven't|hasn't|not|never) (got|gotten|received|seen)\b.{0,30}\b(refund|money)\b/,
    weight: 1.5,
  },
  { pattern: /\b(has|did|have|was) (my|the|this|it|you|u)\b.{0,15}\b(refund(ed)?|been refunded)\b|\brefunded\b/, weight: 1.5 },
  { pattern: /\b(update|news|status|progress|know|check|ask)\b.{0,20}\brefund|\bno refund\b/, weight: 1.5 },
  { pattern: /(退款|退的钱|退钱|钱|退回).{0,8}(到账|到了吗|到了没|进度|状态|什么时候|多久|怎么还没|还没|没收到|没到|退了吗|处理了吗|处理好|成功)|(退款了吗|退了没|钱退了吗|退款成功了吗|退款到哪)/, weight: 1.5 },
];

const REQUEST_CUES: readonly Cue[] = [
  { pattern: /\b(i want|i'd like|i would like|can i (get|have)|could i (get|have)|please|give me|request(ing)?|i need|i demand|issue|want)\b(?!.{0,8}\b(know|check|ask|see)\b).{0,20}\b(a |my |full |the )?(refund|money back)\b/, weight: 2 },
  { pattern: /\brefund (me|my money|this|the order|order|it)\b/, weight: 1.5 },
  { pattern: /((我要|我想|申请|要求|想要|帮我|给我|我需要)(全额)?退款|退货退款|把钱退|退钱给我|(^|[,，。!！ ])退钱[!！]?$|能不能退款|可以退款吗|能退款吗|我要退钱|给我退钱)/, weight: 2 },
];

export const refundPlugin = {
  name: 'refund',
  description: "Where a refund of the customer's own order stands (from its payment), and refund requests passed to an agent.",
  intents: ['refund_status', 'refund_request'],
  priority: 50,
  detect(_text, ctx) {
    const t = ctx.normalized;
    const base = scoreCues(t, REFUND_WORD);
    if (base === 0) return [];
    const numbers = orderNumbersIn(t);
    const slots = numbers[0] === undefined ? undefined : { orderId: numbers[0] };
    const about = numbers.length > 0 ? 0.5 : 0;
    const status = scoreCues(t, STATUS_CUES);
    const request = scoreCues(t, REQUEST_CUES);
    const out: Detection[] = [];
    if (status > 0 || request === 0) out.push({ intent: 'refund_status', confidence: confidenceOf(base * 0.5 + status + about), ...(slots ? { slots } : {}) });
    if (request > 0) out.push({ intent: 'refund_request', confidence: confidenceOf(base * 0.5 + request + about - (status > 0 ? 1 : 0)), ...(slots ? { slots } : {}) });
    return out;
  },
  async respond(detection, ctx) {
    const profile = await ctx.profile();
    const zh = ctx.language === 'zh';
    // Without a number, the refund a customer asks about is their latest refunded or cancelled order, if any.
    const pick = pickOrder(profile, detection.slots?.orderId, detection.intent === 'refund_status' ? (o) => o.payment?.status === 'REFUNDED' || o.status === 'REFUNDED' || o.status === 'CANCELLED' : undefined);
    if (pick.kind === 'no_orders' && detection.intent === 'refund_status') {
      return { messages: [zh ? '您的近期订单中没有退款记录。如果您已申请退款，我可以为您转接人工客服核实。' : "I don't see a refund on your recent orders. If you asked for one, I can pass you to a colleague to check."], actions: [] };
    }
    if (pick.kind !== 'found') {
      return { messages: [noOrderSentence(pick, ctx.language)], actions: pick.kind === 'unavailable' ? [{ type: 'handover', reason: 'orders_unavailable' }] : [] };
    }
    const order = pick.order;
    if (detection.intent === 'refund_request') {
      return {
        messages: [zh ? `我已把订单 ${order.id} 的退款申请转给人工客服，同事核实后会为您处理。` : `I've passed your refund request for order ${order.id} to a colleague, who will review it.`],
        actions: [
          { type: 'suggest_to_agent', suggestion: 'refund', orderId: order.id, note: `customer asks for a refund of ${order.id} (${formatMoney(order.totalCents, order.currency)}, ${order.status})` },
          { type: 'handover', reason: 'refund_needs_agent' },
        ],
      };
    }
    const payment = order.payment;
    let sentence: string;
    if (payment?.status === 'REFUNDED' || order.status === 'REFUNDED') {
      const amount = formatMoney(payment?.amountCents ?? order.totalCents, order.currency);
      const when = payment?.updatedAt ? ctx.formatTime(payment.updatedAt) : undefined;
      const method = payment?.method;
      sentence = zh
        ? `订单 ${order.id} 的 ${amount} 已退款${method ? `至您的 ${method}` : ''}${when ? `（处理时间 ${payment?.updatedAt?.slice(0, 10)} ${when}）` : ''}。到账时间取决于您的银行，通常 3–5 个工作日。`
        : `The ${amount} for order ${order.id} has been refunded${method ? ` to your ${method}` : ''}${when ? ` (processed ${payment?.updatedAt?.slice(0, 10)} ${when})` : ''}. Banks usually take 3–5 working days to show it.`;
    } else {
      sentence = zh ? `订单 ${order.id} 目前没有退款记录（付款状态：${payment?.status === 'CAPTURED' ? '已扣款' : '未付款'}）。` : `There is no refund on order ${order.id} so far (payment ${payment?.status === 'CAPTURED' ? 'captured' : 'not taken'}).`;
    }
    return { messages: [withAsOf(sentence, profile, 'shop', ctx)], actions: [] };
  },
} satisfies IntentPlugin;
