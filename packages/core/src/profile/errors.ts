/**
 * @module profile/errors
 * Errors of the profiler itself (bad options); bad file content is a
 * FormatError from the readers.
 */
export type ProfileErrorCode = 'PROFILE_UNKNOWN_KEY_COLUMN' | 'PROFILE_BAD_OPTIONS';

export class ProfileError extends Error {
  override readonly name = 'ProfileError';
  constructor(
    readonly code: ProfileErrorCode,
    message: string,
  ) {
    super(message);
  }
}
