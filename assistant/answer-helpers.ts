// Shared by the built-in plugins' answers (pure): which of the customer's orders a message means, how to write
// money, statuses and the profile's freshness in Chinese or English. An order number that is not among the
// customer's own orders is never looked up anywhere else: the answer says only that it is not theirs to see.
import type { CustomerProfile, ProfileOrder } from './customer-profile.ts';
import type { Language, RespondContext } from './intent-plugin.ts';

export type OrderPick =
  | { readonly kind: 'found'; readonly order: ProfileOrder; readonly by: 'number' | 'latest' }
  | { readonly kind: 'not_theirs'; readonly orderId: string }
  | { readonly kind: 'no_orders' }
  | { readonly kind: 'unavailable' };

/** The order a message means: the number in it when it is one of the customer's, else their most recent order. */
export function pickOrder(profile: CustomerProfile, orderId: string | undefined, filter?: (o: ProfileOrder) => boolean): OrderPick {
  if (profile.orders === null) return { kind: 'unavailable' };
  if (orderId !== undefined) {
    const own = profile.orders.find((o) => o.id === orderId);
    return own === undefined ? { kind: 'not_theirs', orderId } : { kind: 'found', order: own, by: 'number' };
  }
  const candidates = filter ? profile.orders.filter(filter) : profile.orders;
  const latest = candidates[0];
  return latest === undefined ? { kind: 'no_orders' } : { kind: 'found', order: latest, by: 'latest' };
}

export function formatMoney(cents: number, currency: string): string {
  return `${(cents / 100).toFixed(2)} ${currency}`;
}

/** "as of 12:03:07" for the source's part of the profile; null when that source was unavailable or not read. */
export function asOfText(profile: CustomerProfile, source: string, ctx: Pick<RespondContext, 'language' | 'formatTime'>): string | null {
  const entry = profile.freshness.find((f) => f.source === source);
  if (entry === undefined || entry.asOf === null) return null;
  const time = ctx.formatTime(entry.asOf);
  return ctx.language === 'zh' ? `（数据截至 ${time}）` : ` (as of ${time})`;
}

/** Appends the freshness note to a sentence. */
export function withAsOf(sentence: string, profile: CustomerProfile, source: string, ctx: Pick<RespondContext, 'language' | 'formatTime'>): string {
  const note = asOfText(profile, source, ctx);
  if (note === null) return sentence;
  return ctx.language === 'zh' ? `${sentence}${note}` : `${sentence.replace(/\.$/, '')}${note}.`;
}

const ORDER_STATUS: Record<Language, Record<ProfileOrder['status'], string>> = {
  en: { PENDING: 'waiting for payment', PAID: 'paid and being prepared', SHIPPED: 'shipped', DELIVERED: 'delivered', CANCELLED: 'cancelled', REFUNDED: 'refunded' },
  zh: { PENDING: '待付款', PAID: '已付款，正在备货', SHIPPED: '已发货', DELIVERED: '已送达', CANCELLED: '已取消', REFUNDED: '已退款' },
};

export const orderStatusText = (status: ProfileOrder['status'], language: Language) => ORDER_STATUS[language][status];

/** The fixed sentences for the cases where no order data can be given. */
export function noOrderSentence(pick: Exclude<OrderPick, { kind: 'found' }>, language: Language): string {
  switch (pick.kind) {
    case 'not_theirs':
      return language === 'zh'
        ? `我在您的账户里找不到订单 ${pick.orderId}。出于隐私保护，我只能查询您本人的订单；请核对订单号，或让我为您转接人工客服。`
        : `I can't find order ${pick.orderId} among your orders. For privacy I can only look up your own orders; please check the number, or ask me for a person.`;
    case 'no_orders':
      return language === 'zh' ? '您的账户里暂时没有订单。' : "I don't see any orders on your account yet.";
    case 'unavailable':
      return language === 'zh' ? '抱歉，我现在无法读取您的订单信息，正在为您转接人工客服。' : "Sorry, I can't read your orders right now; I'm passing you to a colleague.";
  }
}
