/**
 * @module profile
 * File profiling: one streaming pass → record count, columns with inferred
 * types, nulls, distinct estimates, ranges and quality metrics. Node-only.
 */
export { FileProfiler, profileFile, profileStream, type ProfileOptions } from './profile.js';
export { renderProfile } from './render.js';
export { ProfileError, type ProfileErrorCode } from './errors.js';
export { TYPE_THRESHOLD } from './column.js';
export { HyperLogLog, DistinctCounter, hash32 } from './distinct.js';
export { classifyString, classifyNumber, ownType, TYPE_ORDER } from './classify.js';
// The readers' error type, so callers of profileFile can tell bad input from I/O failure without a second import path.
export { FormatError, isFormatError, type FormatErrorCode } from '../formats/index.js';
