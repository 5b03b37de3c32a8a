// The floor the rules are compared with: a keyword bot that takes the first intent whose one keyword list matches
// (what a simple FAQ bot does). No weights, no negative cues, no threshold.
import { normalize } from '../../assistant/text-features.ts';

const RULES: ReadonlyArray<[string, RegExp]> = [
  ['human_handover', /\b(human|agent|person|someone)\b|人工|真人/],
  ['refund_status', /\brefund|退款|退钱/],
  ['shipment_tracking', /\b(track\w*|parcel|package|delivery|courier)\b|快递|物流|包裹/],
  ['order_status', /\border\b|订单|发货/],
  ['faq.return_policy', /\breturn|退货/],
  ['faq.shipping_costs', /\b(shipping cost|free shipping|ship to)\b|运费|包邮/],
  ['faq.shipping_times', /\bshipping\b|几天/],
  ['faq.payment_methods', /\bpay\w*|支付|付款/],
  ['faq.opening_hours', /\b(open|hours)\b|营业|上班/],
  ['faq.damaged_goods', /\b(dead|damaged|broken|compensation)\b|死|坏|赔/],
  ['faq.invoice', /\b(invoice|receipt)\b|发票/],
  ['small_talk', /^(hi|hello|hey|thanks|thank you|bye)\b|^(你好|您好|谢谢|再见)/],
];

export function keywordBaseline(text: string): string {
  const t = normalize(text);
  for (const [intent, pattern] of RULES) if (pattern.test(t)) return intent;
  return 'none';
}
