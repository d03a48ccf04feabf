/**
 * @chatsdk/protocol: the types on the wire. This entry point has no runtime
 * dependency (types are erased); the TypeBox schemas behind them live in
 * `@chatsdk/protocol/schemas` for the server and for tools.
 */
import type { Static } from 'typebox';
import type * as S from './schemas/index.js';

export { ERROR_CODES, errorCodes, statusOf, isErrorCode } from './errors.js';
export type { ErrorCode, ErrorBody } from './errors.js';
export { LIMITS, USER_ID_PATTERN } from './limits.js';

/** A user as the API returns it. */
export type User = Static<typeof S.User>;
/** `user` | `moderator` | `admin`. */
export type UserRole = Static<typeof S.UserRole>;
/** One user in `POST /api/users`. */
export type UpsertUser = Static<typeof S.UpsertUser>;
/** `POST /api/users` body. */
export type UpsertUsersBody = Static<typeof S.UpsertUsersBody>;
/** `PATCH /api/users/me` body. */
export type UpdateMeBody = Static<typeof S.UpdateMeBody>;
/** `GET /api/users` query. */
export type ListUsersQuery = Static<typeof S.ListUsersQuery> & { [filter: `custom.${string}`]: string };
/** `{ user }` */
export type UserResponse = Static<typeof S.UserResponse>;
/** `{ users, next }` */
export type UsersPage = Static<typeof S.UsersPage>;
/** `{ users }` */
export type UsersResponse = Static<typeof S.UsersResponse>;
/** `POST /api/users/:id/revoke-tokens` answer. */
export type RevokeTokensResponse = Static<typeof S.RevokeTokensResponse>;
/** `POST /tokens` body. */
export type CreateTokenBody = Static<typeof S.CreateTokenBody>;
/** `POST /tokens` answer. */
export type CreateTokenResponse = Static<typeof S.CreateTokenResponse>;
/** An app as its server sees it. */
export type App = Static<typeof S.App>;
/** `PATCH /api/app` body. */
export type UpdateAppBody = Static<typeof S.UpdateAppBody>;
/** An API key as listed (never the key itself). */
export type ApiKey = Static<typeof S.ApiKey>;
/** A newly created API key, with the key shown once. */
export type NewApiKey = Static<typeof S.NewApiKey>;
/** `POST /api/app/keys/:id/rotate` body. */
export type RotateKeyBody = Static<typeof S.RotateKeyBody>;
/** `GET /health` answer. */
export type HealthResponse = Static<typeof S.HealthResponse>;
/** `{ app }` */
export type AppResponse = Static<typeof S.AppResponse>;
/** `{ keys }` */
export type ApiKeysResponse = Static<typeof S.ApiKeysResponse>;
/** `{ key }` */
export type ApiKeyResponse = Static<typeof S.ApiKeyResponse>;
