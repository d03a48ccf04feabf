/**
 * Documented size limits. The server enforces them and answers
 * `validation_failed` (or `payload_too_large` for the body) past them.
 */
export const LIMITS = {
  /** Largest request body, in bytes. */
  bodyBytes: 1024 * 1024,
  /** User ids: 1 to 128 characters of letters, digits and `_ - . @ :`. */
  userIdLength: 128,
  userNameLength: 200,
  imageUrlLength: 2048,
  /** `custom` objects, serialised as JSON, in bytes. */
  customBytes: 5 * 1024,
  /** Users in one bulk upsert or one `ids=` filter. */
  usersPerBatch: 100,
  /** Largest page of any list. */
  pageSize: 100,
  appNameLength: 100,
  allowedOrigins: 50,
} as const;

/** The characters a user id may use. */
export const USER_ID_PATTERN = '^[A-Za-z0-9_.@:-]+$';
