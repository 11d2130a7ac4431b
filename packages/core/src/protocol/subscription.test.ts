import { describe, it, expect } from 'vitest';
import {
  SUBSCRIPTION_ACTIONS,
  SUBSCRIPTION_STATUSES,
  SubscriptionRequestSchema,
  SubscriptionSchema,
  SubscriptionTransitionError,
  availableActions,
  canTransition,
  mayPerform,
  transition,
  type SubscriptionAction,
  type SubscriptionStatus,
} from './subscription.js';

// The state machine of DESIGN §3 / spec/protocol.md §4, written out independently of the table under test.
const EXPECTED: Record<SubscriptionStatus, Partial<Record<SubscriptionAction, SubscriptionStatus>>> = {
  pending: { approve: 'approved', reject: 'rejected', cancel: 'cancelled' },
  approved: { activate: 'active', cancel: 'cancelled' },
  active: { suspend: 'suspended', cancel: 'cancelled' },
  suspended: { reinstate: 'active', cancel: 'cancelled' },
  cancelled: {},
  rejected: {},
};

describe('subscription transitions', () => {
  it('transition(from, action) for every status × action', () => {
    let checked = 0;
    for (const from of SUBSCRIPTION_STATUSES) {
      for (const action of SUBSCRIPTION_ACTIONS) {
        const to = EXPECTED[from][action];
        if (to) {
          expect(transition(from, action), `${from} --${action}`).toBe(to);
        } else {
          let err: unknown;
          try {
            transition(from, action);
          } catch (e) {
            err = e;
          }
          expect(err, `${from} --${action}`).toBeInstanceOf(SubscriptionTransitionError);
          expect((err as SubscriptionTransitionError).code).toBe('INVALID_STATE');
        }
        checked++;
      }
    }
    expect(checked).toBe(36);
  });

  it('canTransition(from, to) for every pair of statuses', () => {
    for (const from of SUBSCRIPTION_STATUSES) {
      const reachable = new Set(Object.values(EXPECTED[from]));
      for (const to of SUBSCRIPTION_STATUSES) {
        expect(canTransition(from, to), `${from} → ${to}`).toBe(reachable.has(to));
      }
    }
  });

  it('offers actions per actor', () => {
    expect(availableActions('pending', 'producer')).toEqual(['approve', 'reject', 'cancel']);
    expect(availableActions('pending', 'consumer')).toEqual(['cancel']);
    expect(availableActions('approved', 'system')).toEqual(['activate']);
    expect(availableActions('cancelled')).toEqual([]);
    expect(mayPerform('consumer', 'approve')).toBe(false);
    expect(mayPerform('admin', 'suspend')).toBe(true);
  });
});

describe('subscription schemas', () => {
  const sub = {
    id: 'sub_1',
    consumerId: 'acc_c',
    producerId: 'acc_p',
    datasetId: 'ds_1',
    status: 'pending',
    createdAt: '2025-01-27T14:00:00Z',
    updatedAt: '2025-01-27T14:00:00Z',
  };
  it('accepts a subscription and rejects unknown statuses or missing ids', () => {
    expect(SubscriptionSchema.parse(sub)).toEqual(sub);
    expect(SubscriptionSchema.safeParse({ ...sub, status: 'PENDING' }).success).toBe(false);
    expect(SubscriptionSchema.safeParse({ ...sub, status: 'expired' }).success).toBe(false);
    const { consumerId: _drop, ...noConsumer } = sub;
    expect(SubscriptionSchema.safeParse(noConsumer).success).toBe(false);
  });
  it('request input is strict', () => {
    expect(SubscriptionRequestSchema.safeParse({ datasetId: 'ds_1' }).success).toBe(true);
    expect(SubscriptionRequestSchema.safeParse({ datasetId: 'ds_1', status: 'active' }).success).toBe(false);
  });
});
