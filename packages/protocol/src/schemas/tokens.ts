import { Type } from 'typebox';
import { User, UserFields, UserId } from './users.js';

/** `POST /tokens` body, as the product guide gives it, plus `role` and `expiresIn`. */
export const CreateTokenBody = Type.Object(
  {
    userId: UserId,
    ...UserFields,
    /** Lifetime in seconds; may only shorten the app's token lifetime. */
    expiresIn: Type.Optional(Type.Integer({ minimum: 60, maximum: 30 * 86400 })),
  },
  { additionalProperties: false },
);

/** `POST /tokens` answer: a REST `token`, a realtime `wsToken`, the user, and their lifetime. */
export const CreateTokenResponse = Type.Object({
  token: Type.String(),
  wsToken: Type.String(),
  user: User,
  expiresIn: Type.Integer(),
});
