// Built-in plugin "shipment-tracking": where the parcel is. It answers from the order's shipment in the profile,
// which the gateway reads live from the warehouse on every request (Order.shipment), with the warehouse's time.
import { noOrderSentence, pickOrder, withAsOf } from '../answer-helpers.ts';
import type { IntentPlugin } from '../intent-plugin.ts';
import { confidenceOf, orderNumbersIn, scoreCues, type Cue } from '../text-features.ts';

const CUES: readonly Cue[] = [
  { pattern: /\b(tracking|track)\b/, weight: 1.5 },
  { pattern: /\btracking (number|no|code|link|info|id)\b/, weight: 1 },
  { pattern: /\b(parcel|package|packet|courier|carrier|shipment|consignment|dhl|ups|dpd|sf express)\b/, weight: 1 },
  { pattern: /\bwhere('s| is|s)? (my|the) (parcel|package|delivery|shipment|box|crabs?|stuff)\b/, weight: 2 },
  { pattern: /\bwhen (will|does|is|should|can i expect)\b.{0,30}\b(arrive|come|get here|be delivered|be here|reach me|deliver\w*)\b/, weight: 2 },
  { pattern: /\b(not|never|hasn't|has not|haven't|still not|still hasn't|didn't) (arrived?|been delivered|come|got it|received (it|my (order|parcel|package)))\b|\bnot here yet\b|\bstill waiting for (my|the) (parcel|package|delivery|order)\b/, weight: 1.5 },
  { pattern: /\bwhich (carrier|courier|company)\b|\bwho (is delivering|delivers)\b|\bout for delivery\b|\bdelivery (status|date|update)\b/, weight: 2 },
  { pattern: /(物流|快递|运单|单号|包裹|追踪|跟踪|顺丰|派送|配送到哪|签收)/, weight: 1.5 },
  { pattern: /(到哪了|到哪儿了|到哪里了|什么时候(能)?(到(?!账)|送到|送达)|几天(能)?到|还没(到(?!账)|收到货|送到)|没收到货|送到了吗|送达了吗|怎么还没到)/, weight: 1.5 },
];

// General delivery questions belong to the FAQ (shipping times, costs, areas), not to a parcel of this customer's.
const FAQ_LIKE: readonly Cue[] = [
  { pattern: /\b(shipping|delivery) (cost|costs|fee|fees|charge|charges|time|times|policy|options)\b|\bhow long (does|do|will) (shipping|delivery) (usually )?take\b|\bdo you (ship|deliver)\b|\b(ship|deliver)(ing)? (to|abroad|internationally|on weekends?)\b|\bfree (shipping|delivery)\b|\bhow long does it usually\b/, weight: 2 },
  { pattern: /(运费|邮费|包邮|一般几天|一般多久|通常几天|通常多久|配送范围|能寄到|可以寄到|能送到.{0,6}吗|送.{0,4}(国外|海外|香港|台湾)|周末(发货|配送|送货))/, weight: 2 },
];

// Money, not a parcel: "退款还没到" is about a refund.
const REFUND_WORDS = /\brefund|退款|退钱|到账/;

export const shipmentTrackingPlugin = {
  name: 'shipment-tracking',
  description: "Where the customer's parcel is: carrier, tracking number and status, read live from the warehouse.",
  intents: ['shipment_tracking'],
  priority: 50,
  detect(_text, ctx) {
    const t = ctx.normalized;
    const numbers = orderNumbersIn(t);
    const own = /\bmy\b|我的/.test(t) || numbers.length > 0;
    const score = scoreCues(t, CUES) - scoreCues(t, FAQ_LIKE) * (own ? 0.5 : 1) - (REFUND_WORDS.test(t) ? 1.5 : 0) + (numbers.length > 0 ? 0.5 : 0);
    if (score <= 0) return [];
    return [{ intent: 'shipment_tracking', confidence: confidenceOf(score), ...(numbers[0] ? { slots: { orderId: numbers[0] } } : {}) }];
  },
  async respond(detection, ctx) {
    const profile = await ctx.profile();
    const zh = ctx.language === 'zh';
    // Without a number: the most recent order that has left the warehouse, else the most recent order.
    let pick = pickOrder(profile, detection.slots?.orderId, (o) => o.shipment !== null);
    if (pick.kind === 'no_orders') pick = pickOrder(profile, undefined);
    if (pick.kind !== 'found') {
      return { messages: [noOrderSentence(pick, ctx.language)], actions: pick.kind === 'unavailable' ? [{ type: 'handover', reason: 'orders_unavailable' }] : [] };
    }
    const { order } = pick;
    const shipment = order.shipment;
    if (shipment === null) {
      if (profile.unavailable.includes('wms') && (order.status === 'SHIPPED' || order.status === 'DELIVERED')) {
        return {
          messages: [zh ? `订单 ${order.id} 已发货，但我现在无法读取仓库的物流信息，正在为您转接人工客服。` : `Order ${order.id} has shipped, but I can't reach the warehouse's tracking right now; I'm passing you to a colleague.`],
          actions: [{ type: 'handover', reason: 'warehouse_unavailable' }],
        };
      }
      const sentence = zh ? `订单 ${order.id} 还没有发货，发货后我就能告诉您运单号。` : `Order ${order.id} hasn't left the warehouse yet; once it ships I can give you the tracking number.`;
      return { messages: [withAsOf(sentence, profile, 'shop', ctx)], actions: [] };
    }
    const carrier = shipment.carrier ?? (zh ? '承运商' : 'the carrier');
    const tracking = shipment.trackingNo ?? '—';
    const sentence =
      shipment.status === 'DELIVERED'
        ? zh
          ? `订单 ${order.id} 的包裹已由 ${carrier} 于 ${shipment.deliveredAt?.slice(0, 10) ?? ''} 送达，运单号 ${tracking}。`
          : `The parcel for order ${order.id} was delivered by ${carrier} on ${shipment.deliveredAt?.slice(0, 10) ?? 'its delivery day'} (tracking number ${tracking}).`
        : zh
          ? `订单 ${order.id} 的包裹正在运输中：${carrier}，运单号 ${tracking}，发货日期 ${shipment.shippedAt?.slice(0, 10) ?? ''}。`
          : `The parcel for order ${order.id} is on its way with ${carrier}, tracking number ${tracking}, shipped ${shipment.shippedAt?.slice(0, 10) ?? 'recently'}.`;
    return { messages: [withAsOf(sentence, profile, 'wms', ctx)], actions: [] };
  },
} satisfies IntentPlugin;
