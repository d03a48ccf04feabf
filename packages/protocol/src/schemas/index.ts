/** TypeBox schemas of the REST API: the server validates with them, clients type with them. */
export { ErrorResponse, Cursor, HttpUrl, Timestamp, CustomData } from './common.js';
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
  UploadTypePattern,
  ApiKey,
  NewApiKey,
  RotateKeyBody,
  ApiKeyParams,
  AppResponse,
  ApiKeysResponse,
  ApiKeyResponse,
} from './apps.js';
export { HealthResponse } from './health.js';
export {
  ChannelId,
  ChannelType,
  ChannelRole,
  Channel,
  Membership,
  Member,
  ChannelState,
  CreateChannelBody,
  UpdateChannelBody,
  ListChannelsQuery,
  ChannelResponse,
  ChannelsPage,
  ChannelParams,
  MemberParams,
  AddMembersBody,
  UpdateMemberBody,
  UpdateMembershipBody,
  ListMembersQuery,
  MembersPage,
  MembersResponse,
  MemberResponse,
  MembershipResponse,
} from './channels.js';
export {
  MessageId,
  Attachment,
  ReactionType,
  Reaction,
  QuotedMessage,
  Message,
  SendMessageBody,
  UpdateMessageBody,
  ListMessagesQuery,
  MessagesPage,
  MessageResponse,
  MessageParams,
  DeleteMessageQuery,
  SendReactionBody,
  ReactionParams,
  ReactionResponse,
  ListMentionsQuery,
  MentionsPage,
  PinnedQuery,
  PinnedPage,
} from './messages.js';
export { TypingBody, MarkReadBody, ReadState, ReadResponse, ListReadsQuery, ReadsPage, UnreadResponse, Block, BlocksResponse } from './reads.js';
export { PresenceQuery, UserPresence, PresenceResponse } from './presence.js';
export { SearchQuery, SearchResponse } from './search.js';
export { UploadId, UploadKind, Upload, UploadResponse, UploadParams, UploadForm, FileParams, FileQuery } from './uploads.js';
