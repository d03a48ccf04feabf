/** TypeBox schemas of the REST API: the server validates with them, clients type with them. */
export { ErrorResponse, Cursor, Timestamp, CustomData } from './common.js';
export {
  UserId,
  UserRole,
  User,
  UserFields,
  UpsertUser,
  UpsertUsersBody,
  UpdateMeBody,
  ListUsersQuery,
  DeleteUserQuery,
  UserParams,
  UserResponse,
  UsersPage,
  UsersResponse,
  RevokeTokensResponse,
} from './users.js';
export { CreateTokenBody, CreateTokenResponse } from './tokens.js';
export {
  App,
  UpdateAppBody,
  ApiKey,
  NewApiKey,
  RotateKeyBody,
  ApiKeyParams,
  AppResponse,
  ApiKeysResponse,
  ApiKeyResponse,
} from './apps.js';
export { HealthResponse } from './health.js';
