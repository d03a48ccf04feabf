import { Type } from 'typebox';
import { LIMITS } from '../limits.js';
import { Timestamp } from './common.js';

/** `GET /api/users/presence` query: comma-separated user ids. */
export const PresenceQuery = Type.Object(
  { ids: Type.String({ minLength: 1, maxLength: (LIMITS.userIdLength + 1) * LIMITS.usersPerBatch }) },
  { additionalProperties: false },
);

/** Whether a user has a live connection, and when they were last active. */
export const UserPresence = Type.Object({
  userId: Type.String(),
  online: Type.Boolean(),
  lastActiveAt: Type.Union([Timestamp, Type.Null()]),
});

/** `{ users }`: one entry per known requested id. */
export const PresenceResponse = Type.Object({ users: Type.Array(UserPresence) });
