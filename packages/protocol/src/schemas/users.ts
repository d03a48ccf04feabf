import { Type } from 'typebox';
import { LIMITS, USER_ID_PATTERN } from '../limits.js';
import { Cursor, CustomData, HttpUrl, Timestamp } from './common.js';

/** A user id chosen by the customer's backend. */
export const UserId = Type.String({ minLength: 1, maxLength: LIMITS.userIdLength, pattern: USER_ID_PATTERN });

/** App-wide roles; only the customer's backend (API key) sets them. */
export const UserRole = Type.Union([Type.Literal('user'), Type.Literal('moderator'), Type.Literal('admin')]);

const UserName = Type.String({ maxLength: LIMITS.userNameLength });

/** A user as every endpoint returns it. */
export const User = Type.Object(
  {
    id: Type.String(),
    name: Type.Union([Type.String(), Type.Null()]),
    image: Type.Union([Type.String(), Type.Null()]),
    custom: CustomData,
    role: UserRole,
    createdAt: Timestamp,
    updatedAt: Timestamp,
    /** When the user last had a live connection (at its close, or now while connected); null if never. */
    lastActiveAt: Type.Union([Timestamp, Type.Null()]),
  },
  { $id: 'User' },
);

/** Fields the customer's backend may set on a user. Omitted fields keep their value. */
export const UserFields = {
  name: Type.Optional(Type.Union([UserName, Type.Null()])),
  image: Type.Optional(Type.Union([HttpUrl, Type.Null()])),
  custom: Type.Optional(CustomData),
  role: Type.Optional(UserRole),
};

/** One user in a server-side bulk upsert. */
export const UpsertUser = Type.Object({ id: UserId, ...UserFields }, { additionalProperties: false });

/** `POST /api/users` body. */
export const UpsertUsersBody = Type.Object(
  { users: Type.Array(UpsertUser, { minItems: 1, maxItems: LIMITS.usersPerBatch }) },
  { additionalProperties: false },
);

/** `PATCH /api/users/me` body: a user may change only their name and image. */
export const UpdateMeBody = Type.Object(
  {
    name: Type.Optional(Type.Union([UserName, Type.Null()])),
    image: Type.Optional(Type.Union([HttpUrl, Type.Null()])),
  },
  { additionalProperties: false },
);

/** `GET /api/users` query; `custom.<key>=<value>` filters are accepted beside these. */
export const ListUsersQuery = Type.Object(
  {
    ids: Type.Optional(Type.String({ maxLength: (LIMITS.userIdLength + 1) * LIMITS.usersPerBatch })),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.userNameLength })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.pageSize })),
    cursor: Type.Optional(Cursor),
  },
  {
    additionalProperties: false,
    patternProperties: { '^custom\\.[A-Za-z0-9_-]{1,64}$': Type.String({ maxLength: 256 }) },
  },
);

/** `DELETE /api/users/:id` query. */
export const DeleteUserQuery = Type.Object(
  { hard: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);

/** Path parameters naming a user. */
export const UserParams = Type.Object({ id: UserId });

/** `{ user }` */
export const UserResponse = Type.Object({ user: User });

/** `{ users, next }`: `next` is the cursor of the following page, or null at the end. */
export const UsersPage = Type.Object({ users: Type.Array(User), next: Type.Union([Cursor, Type.Null()]) });

/** `{ users }` */
export const UsersResponse = Type.Object({ users: Type.Array(User) });

/** `POST /api/users/:id/revoke-tokens` answer. */
export const RevokeTokensResponse = Type.Object({ userId: Type.String(), revokedBefore: Timestamp });
