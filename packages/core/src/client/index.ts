/**
 * @module client
 * The Node client side of DME, shared by the `dme` CLI and the desktop
 * engine: hub session and credentials, publishing (profile, encrypt, upload,
 * complete), pulling (download, verify, decrypt) and key grants.
 */
export * from './connect.js';
export * from './errors.js';
export * from './grants.js';
export * from './publish.js';
export * from './pull.js';
export * from './session.js';
export * from './payload-spool.js';
