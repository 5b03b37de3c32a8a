// Mutation.refundOrder and Subscription.customerChanged: the writes agents make through the graph, and the feed of
// changes they (and, later, CDC) publish.
import type { Clock } from '../common/clock.ts';
import { schemaErr } from './error-catalogue.ts';
import { fromSource, toFieldError } from './field-error.ts';
import { mapOrder, mapProfile } from './record-mappers.ts';
import type { RequestContext } from './request-context.ts';
import type { ChangeFeed, CustomerChange, SourceMap } from './schema-module.ts';

export const DEFAULT_REFUND_ROLES: readonly string[] = Object.freeze(['supervisor', 'refunds']);
/** The longest refund reason passed to the shop. */
export const MAX_REASON_LENGTH = 500;

export interface ChangeResolverDeps {
  readonly sources: SourceMap;
  readonly changeFeed: ChangeFeed;
  readonly clock: Clock;
  readonly refundRoles: readonly string[];
  /**
   * Tell customerChanged subscribers about a refund as soon as the shop answered. Off when materialized views run:
   * the change then flows back through CDC and the view pipeline publishes it once, with the view that has it.
   */
  readonly publishWrites?: boolean;
}

interface RefundArgs {
  readonly orderId: string;
  readonly amountCents: number;
  readonly reason: string;
  readonly customerId?: string | null;
}

const badInput = (message: string, argument: string) => toFieldError(schemaErr.SCHEMA_ERR_BAD_INPUT(message, { details: { argument } }));

export function createChangeResolvers(deps: ChangeResolverDeps) {
  const { sources, changeFeed, clock, refundRoles } = deps;
  const publishWrites = deps.publishWrites ?? true;

  /** With a customer id, the order must be that customer's: checked before anything is refunded. */
  async function checkOwner(ctx: RequestContext, orderId: string, customerId: string): Promise<void> {
    const [contact, order] = await Promise.all([
      fromSource(sources.contact.connector, () => ctx.load(sources.contact, customerId)),
      fromSource(sources.order.connector, () => ctx.load(sources.order, orderId)),
    ]);
    if (contact === null || contact === undefined) throw badInput(`refundOrder: there is no customer "${customerId}"`, 'customerId');
    if (order === null || order === undefined) throw badInput(`refundOrder: there is no order "${orderId}"`, 'orderId');
    let customerNo: string | null;
    let owner: string | null;
    try {
      customerNo = mapProfile(contact, sources.contact.connector).customerNo;
      owner = mapOrder(order, sources.order.connector).customerNo;
    } catch (err) {
      throw toFieldError(err);
    }
    if (customerNo === null || owner !== customerNo) {
      throw badInput(`refundOrder: order "${orderId}" does not belong to customer "${customerId}"`, 'customerId');
    }
  }

  return {
    Mutation: {
      async refundOrder(_: unknown, args: RefundArgs, ctx: RequestContext) {
        const { orderId, amountCents, reason } = args;
        if (!ctx.principal.roles.some((role) => refundRoles.includes(role))) {
          throw toFieldError(
            schemaErr.SCHEMA_ERR_FORBIDDEN(
              `refundOrder needs one of the roles ${refundRoles.join(', ')}, but the caller has ${ctx.principal.roles.length > 0 ? ctx.principal.roles.join(', ') : 'none'}`,
              { details: { needsOneOf: [...refundRoles] } },
            ),
          );
        }
        if (orderId.trim() === '') throw badInput('refundOrder: orderId must not be empty', 'orderId');
        if (!Number.isSafeInteger(amountCents) || amountCents <= 0) {
          throw badInput(`refundOrder: amountCents must be a positive number of cents, but got ${amountCents}`, 'amountCents');
        }
        if (reason.trim() === '' || reason.length > MAX_REASON_LENGTH) {
          throw badInput(`refundOrder: reason must be 1 to ${MAX_REASON_LENGTH} characters, but has ${reason.length}`, 'reason');
        }
        const customerId = args.customerId ?? undefined;
        if (customerId !== undefined) await checkOwner(ctx, orderId, customerId);

        const ref = sources.refundOrder;
        const answer = await fromSource(ref.connector, () => ctx.call(ref, { orderId, amountCents, reason }));
        let order;
        try {
          order = mapOrder(answer, ref.connector);
        } catch (err) {
          throw toFieldError(err, ref.connector);
        }
        // Without a customer id the owner is not known cheaply (the CRM cannot be asked by shop customer number);
        // CDC will carry the change once it flows.
        if (customerId !== undefined && publishWrites) {
          changeFeed.publish({
            tenant: ctx.principal.tenant,
            customerId,
            source: ref.connector,
            at: new Date(clock.now()).toISOString(),
            reason: `order ${order.id} refunded (${amountCents} cents)`,
          });
        }
        return order;
      },
    },

    Subscription: {
      customerChanged: {
        subscribe(_: unknown, args: { id: string }, ctx: RequestContext): AsyncIterableIterator<CustomerChange> {
          if (args.id.trim() === '') throw badInput('customerChanged: id must not be empty', 'id');
          // Ends with the request's signal, or as soon as the client completes (graphql-ws calls return()).
          const stop = new AbortController();
          const inner = changeFeed.subscribe(ctx.principal.tenant, args.id, AbortSignal.any([ctx.signal, stop.signal]))[Symbol.asyncIterator]();
          const iterator: AsyncIterableIterator<CustomerChange> = {
            next: () => inner.next(),
            async return() {
              stop.abort();
              await inner.return?.();
              return { done: true, value: undefined };
            },
            [Symbol.asyncIterator]: () => iterator,
          };
          return iterator;
        },
        resolve: (change: CustomerChange) => change,
      },
    },
  };
}
