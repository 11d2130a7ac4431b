/**
 * @module entry.node
 * Thin Node entry: start the hub from environment variables (same as
 * `dme-hub serve`). All logic lives in src/node/.
 */
import './node/cli.js';
