/**
 * @module protocol/subscription
 * Subscriptions (own table, never inside accounts) and their state machine,
 * as data. The table below is the only definition of what may happen; the
 * hub, the SDK and the apps all ask it (spec/protocol.md §4 mirrors it):
 *
 *   approve   pending              → approved   producer
 *   activate  approved             → active     system: history grants written (at once if none owed)
 *   reject    pending              → rejected   producer
 *   suspend   active               → suspended  producer, admin
 *   reinstate suspended            → active     producer, admin
 *   cancel    pending|approved|active|suspended → cancelled  consumer, producer, admin
 *
 * `rejected` and `cancelled` are final. Leaving `active` deletes the
 * subscriber's grants; new releases are granted only while `active`.
 */
import { z } from 'zod';
import { IdSchema, TimestampSchema } from './common.js';

export const SUBSCRIPTION_STATUSES = ['pending', 'approved', 'active', 'suspended', 'cancelled', 'rejected'] as const;
export const SubscriptionStatusSchema = z.enum(SUBSCRIPTION_STATUSES);
export type SubscriptionStatus = z.infer<typeof SubscriptionStatusSchema>;

export const SUBSCRIPTION_ACTIONS = ['approve', 'activate', 'reject', 'suspend', 'reinstate', 'cancel'] as const;
export const SubscriptionActionSchema = z.enum(SUBSCRIPTION_ACTIONS);
export type SubscriptionAction = z.infer<typeof SubscriptionActionSchema>;

export type SubscriptionActor = 'consumer' | 'producer' | 'admin' | 'system';

export interface TransitionRule {
  readonly from: readonly SubscriptionStatus[];
  readonly to: SubscriptionStatus;
  readonly actors: readonly SubscriptionActor[];
}

export const SUBSCRIPTION_TRANSITIONS = {
  approve: { from: ['pending'], to: 'approved', actors: ['producer'] },
  activate: { from: ['approved'], to: 'active', actors: ['system'] },
  reject: { from: ['pending'], to: 'rejected', actors: ['producer'] },
  suspend: { from: ['active'], to: 'suspended', actors: ['producer', 'admin'] },
  reinstate: { from: ['suspended'], to: 'active', actors: ['producer', 'admin'] },
  cancel: { from: ['pending', 'approved', 'active', 'suspended'], to: 'cancelled', actors: ['consumer', 'producer', 'admin'] },
} as const satisfies Record<SubscriptionAction, TransitionRule>;

export const FINAL_SUBSCRIPTION_STATUSES: readonly SubscriptionStatus[] = ['cancelled', 'rejected'];

export class SubscriptionTransitionError extends Error {
  /** Same code as the API error the hub returns for it. */
  readonly code = 'INVALID_STATE';
  constructor(
    readonly from: SubscriptionStatus,
    readonly action: SubscriptionAction,
  ) {
    super(`cannot ${action} a ${from} subscription`);
    this.name = 'SubscriptionTransitionError';
  }
}

function rule(action: SubscriptionAction): TransitionRule {
  return SUBSCRIPTION_TRANSITIONS[action];
}

/** True iff some action leads from `from` to `to`. */
export function canTransition(from: SubscriptionStatus, to: SubscriptionStatus): boolean {
  return SUBSCRIPTION_ACTIONS.some((a) => rule(a).to === to && rule(a).from.includes(from));
}

/** The status after `action`, or SubscriptionTransitionError when not allowed from `from`. */
export function transition(from: SubscriptionStatus, action: SubscriptionAction): SubscriptionStatus {
  const r = rule(action);
  if (!r.from.includes(from)) throw new SubscriptionTransitionError(from, action);
  return r.to;
}

/** Actions available from a status (what the UI offers), optionally for one actor. */
export function availableActions(from: SubscriptionStatus, actor?: SubscriptionActor): SubscriptionAction[] {
  return SUBSCRIPTION_ACTIONS.filter((a) => rule(a).from.includes(from) && (actor === undefined || rule(a).actors.includes(actor)));
}

export function mayPerform(actor: SubscriptionActor, action: SubscriptionAction): boolean {
  return rule(action).actors.includes(actor);
}

export const SubscriptionSchema = z.object({
  id: IdSchema,
  consumerId: IdSchema,
  producerId: IdSchema,
  datasetId: IdSchema,
  status: SubscriptionStatusSchema,
  /** Account that approved; set from `approved` on. */
  approvedBy: IdSchema.optional(),
  /** Consumer's note with the request, shown to the producer. */
  message: z.string().max(1000).optional(),
  /** Reason given with reject/suspend/cancel. */
  reason: z.string().max(1000).optional(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});
export type Subscription = z.infer<typeof SubscriptionSchema>;

/** POST /consumer/subscribe. */
export const SubscriptionRequestSchema = z.strictObject({
  datasetId: IdSchema,
  message: z.string().max(1000).optional(),
});
export type SubscriptionRequest = z.infer<typeof SubscriptionRequestSchema>;

/** POST /producer/approve, /producer/reject and the other producer actions. */
export const SubscriptionDecisionSchema = z.strictObject({
  subscriptionId: IdSchema,
  reason: z.string().max(1000).optional(),
});
export type SubscriptionDecision = z.infer<typeof SubscriptionDecisionSchema>;
