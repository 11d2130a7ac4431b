/**
 * @module store/migrations/0302-admin-indexes
 * Indexes behind the admin lists: accounts filtered by tier or status and
 * subscriptions filtered by state, each in keyset (id) order, so a page is a
 * range scan however many rows there are.
 */
export const sql = `
CREATE INDEX accounts_tier ON accounts (tier, id);
CREATE INDEX accounts_status ON accounts (status, id);
CREATE INDEX subscriptions_status ON subscriptions (status, id);
`;
