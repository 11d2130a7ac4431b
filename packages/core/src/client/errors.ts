/**
 * @module client/errors
 * Typed errors of the client pipelines and the CLI's hub session. Callers
 * branch on `code`; `message` is one line for a human. Failures of the hub
 * API itself are the SDK's HubError (HTTP status + the protocol's code).
 */

export type ClientErrorCode =
  /** No credentials for this hub: log in or set DME_API_KEY. */
  | 'NOT_LOGGED_IN'
  /** The account's registered keys are not this machine's identity. */
  | 'KEY_MISMATCH'
  /** DATASET/SUBSCRIPTION named on the command line does not exist for the caller. */
  | 'NOT_FOUND'
  /** Signature, size or checksum did not match; nothing was written. */
  | 'VERIFY_FAILED'
  /** The hub answered something the protocol does not allow. */
  | 'BAD_RESPONSE'
  /** Local input (file, flag) cannot be used. */
  | 'BAD_INPUT';

export class ClientError extends Error {
  override readonly name = 'ClientError';
  constructor(
    readonly code: ClientErrorCode,
    message: string,
  ) {
    super(message);
  }
}
