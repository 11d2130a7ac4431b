/**
 * @module admin-web/bundle
 * Assembles /admin/app.js from its parts, behind a prelude with the enums
 * the page offers (tiers, statuses, features) taken from @dme/core/protocol,
 * so the page and the API never disagree on them. Built once per process.
 */
import { ACCOUNT_STATUSES, DATASET_STATUSES, FEATURES, SUBSCRIPTION_STATUSES, TIERS } from '@dme/core/protocol';
import { CLIENT_CORE } from './client-core.js';
import { CLIENT_INSIGHT } from './client-insight.js';
import { CLIENT_MANAGE } from './client-manage.js';
import { CLIENT_SHELL } from './client-shell.js';

const constants = {
  tiers: TIERS,
  accountStatuses: ACCOUNT_STATUSES,
  features: FEATURES,
  datasetStatuses: DATASET_STATUSES,
  subscriptionStatuses: SUBSCRIPTION_STATUSES,
};

export const ADMIN_JS = [
  '/* DME hub admin page. Served as /admin/app.js under a CSP without inline scripts. */',
  '(function () {',
  "'use strict';",
  `var DME = ${JSON.stringify(constants)};`,
  CLIENT_CORE,
  CLIENT_MANAGE,
  CLIENT_INSIGHT,
  CLIENT_SHELL,
  '})();',
  '',
].join('\n');
