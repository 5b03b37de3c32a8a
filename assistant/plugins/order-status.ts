// Built-in plugin "order-status": what state an order is in (order_status), and requests to cancel or change one
// (order_change), which it passes to an agent as a proposal — the assistant never cancels anything itself. The order
// is the number in the message when it is one of the customer's, else their most recent; any other customer's
// order number gets no data at all (answer-helpers pickOrder).
import { formatMoney, noOrderSentence, orderStatusText, pickOrder, withAsOf } from '../answer-helpers.ts';
import type { AssistantReply, Detection, IntentPlugin, RespondContext } from '../intent-plugin.ts';
import { confidenceOf, orderNumbersIn, scoreCues, type Cue } from '../text-features.ts';

const STATUS_CUES: readonly Cue[] = [
  { pattern: /\b(where|what)('s| is| are|s)? (is )?(happening with )?my (order|purchase|stuff)\b/, weight: 2 },
  { pattern: /\b(status|update|progress|news)\b.{0,30}\b(order|o\d{7})\b|\b(order|o\d{7})\b.{0,30}\b(status|update|progress)\b/, weight: 2 },
  { pattern: /\b(tell me about|info on|information (on|about)|details (of|on|about))\b.{0,15}\b(order|o\d{7})\b/, weight: 1.5 },
  { pattern: /\bmy (last |latest |recent |previous |new |first )?orders?\b/, weight: 1 },
  { pattern: /\b(order|o\d{7})\b.{0,40}\b(shipped|sent out|dispatched|confirmed|processed|go through|went through|ready|been placed|been received|accepted)\b/, weight: 1 },
  { pattern: /\b(did|has|have|is|was) (my |the |this )?(order|o\d{7})\b/, weight: 1 },
  { pattern: /\b(check|look up|lookup|look at|see)\b.{0,20}\b(my |the )?order\b/, weight: 1 },
  { pattern: /\b(been shipped|shipped yet|dispatched yet|sent out yet)\b/, weight: 1.5 },
  { pattern: /订单/, weight: 1 },
  { pattern: /订单.{0,8}(状态|怎么样|怎样|到哪|进度|处理|情况|好了|确认|呢|查)|(查|查询|查一下|帮我看看|看一下|看看).{0,6}(订单|我的单)/, weight: 1.5 },
  { pattern: /(发货了(吗|没|么)|还没发货|什么时候发货|发货没|发出了吗|发了吗|发出去了吗|怎么还不发货)/, weight: 1.5 },
  { pattern: /(下的单|买的东西|买的|那单).{0,10}(怎么样|呢|到哪|状态|什么情况|处理)/, weight: 1.5 },
];

// Ordering questions ("how do I place an order") and phrases where "order" is not a purchase.
const NOT_STATUS: readonly Cue[] = [
  { pattern: /\b(how (do|can|could) i|how to|can i|could i|i want to|i'd like to|i would like to|want to|wanna) (place |make |put in )?(an |a new )?order\b|\bin order to\b|\border (some|more|again|online|by phone|for (friday|monday|tuesday|wednesday|thursday|saturday|sunday|tomorrow|next))\b|\bminimum order\b/, weight: 2 },
  // Parcel words: the question is about the delivery (shipment-tracking), not the order.
  { pattern: /\b(delivery|parcel|package|tracking|courier)\b/, weight: 1 },
  { pattern: /(怎么下单|如何下单|想下单|可以下单|能下单|下单方式|怎样下单|下单流程|起订)/, weight: 2 },
];

const CHANGE_CUES: readonly Cue[] = [
  { pattern: /\bcancel\w*\b/, weight: 1.5 },
  { pattern: /\bcancel\w*\b.{0,30}\b(order|o\d{7})\b|\border\b.{0,30}\bcancel\w*\b|\bcancel (it|this|that)\b/, weight: 1 },
  { pattern: /\b(change|modify|edit|correct)\b.{0,25}\b(address|order|quantity|delivery date)\b|\bupdate\b.{0,25}\baddress\b/, weight: 2 },
  { pattern: /取消/, weight: 2 },
  { pattern: /(取消.{0,12}订单|订单.{0,12}取消|不想要了|改.{0,2}地址|修改地址|更改地址|地址写错|修改订单|改订单|改一下数量|换个地址)/, weight: 1 },
];

export const orderStatusPlugin = {
  name: 'order-status',
  description: "The state of the customer's own order (by number or the most recent), and cancel/change requests passed to an agent.",
  intents: ['order_status', 'order_change'],
  priority: 50,
  detect(_text, ctx) {
    const t = ctx.normalized;
    const numbers = orderNumbersIn(t);
    const out: Detection[] = [];
    const slots = numbers[0] === undefined ? undefined : { orderId: numbers[0] };
    const change = scoreCues(t, CHANGE_CUES);
    if (change > 0) out.push({ intent: 'order_change', confidence: confidenceOf(change + (numbers.length > 0 ? 0.5 : 0)), ...(slots ? { slots } : {}) });
    let status = scoreCues(t, STATUS_CUES) - scoreCues(t, NOT_STATUS) - (change > 0 ? 2 : 0);
    // An order number says the message is about one order; alone ("O0001234?", "订单 O0001234") it asks for its status.
    if (numbers.length > 0) status += isBareOrderNumber(t) ? 2 : 0.5;
    if (status > 0) out.push({ intent: 'order_status', confidence: confidenceOf(status), ...(slots ? { slots } : {}) });
    return out;
  },
  async respond(detection, ctx) {
    const profile = await ctx.profile();
    const pick = pickOrder(profile, detection.slots?.orderId);
    if (pick.kind !== 'found') {
      return { messages: [noOrderSentence(pick, ctx.language)], actions: pick.kind === 'unavailable' ? [{ type: 'handover', reason: 'orders_unavailable' }] : [] };
    }
    const order = pick.order;
    if (detection.intent === 'order_change') return changeReply(order.id, ctx);
    const zh = ctx.language === 'zh';
    const status = orderStatusText(order.status, ctx.language);
    const total = formatMoney(order.totalCents, order.currency);
    let sentence = zh
      ? `您的订单 ${order.id}（${total}）状态：${status}。`
      : `Your order ${order.id} (${total}) is ${status}.`;
    if (order.shipment !== null && order.status === 'SHIPPED') {
      sentence += zh
        ? ` 承运商 ${order.shipment.carrier ?? '—'}，运单号 ${order.shipment.trackingNo ?? '—'}。`
        : ` Carrier ${order.shipment.carrier ?? '—'}, tracking number ${order.shipment.trackingNo ?? '—'}.`;
    }
    const prefix = pick.by === 'latest' ? (zh ? '您最近的一笔订单：' : 'Your most recent order: ') : '';
    return { messages: [withAsOf(prefix + sentence, profile, 'shop', ctx)], actions: [] };
  },
} satisfies IntentPlugin;

const BARE_WORDS = /\b(order|my|the|of|for|status|please|pls|number|no|check|hi|hello)\b|订单|我的|查询|查一下|状态|请问|你好|[\p{P}\p{S}\s]/gu;

/** Nothing but an order number and filler words. */
function isBareOrderNumber(normalized: string): boolean {
  return normalized.replace(/\bo\d{7}\b/g, '').replace(BARE_WORDS, '').trim() === '';
}

function changeReply(orderId: string, ctx: RespondContext): AssistantReply {
  const t = ctx.normalized;
  const suggestion = /cancel|取消|不想要/.test(t) ? 'cancellation' : /address|地址/.test(t) ? 'address_change' : 'other';
  const zh = ctx.language === 'zh';
  return {
    messages: [zh ? `我已把您对订单 ${orderId} 的修改请求转给人工客服，由同事为您处理。` : `I've passed your request about order ${orderId} to a colleague, who will handle it.`],
    actions: [
      { type: 'suggest_to_agent', suggestion, orderId, note: `customer asks for ${suggestion.replace('_', ' ')} of ${orderId}` },
      { type: 'handover', reason: 'order_change_needs_agent' },
    ],
  };
}
