import { scryptSync, timingSafeEqual } from 'node:crypto';

/** A user's app role in ChatSDK: this backend decides it and passes it with every `POST /tokens`. */
export type DemoRole = 'user' | 'moderator';

/** A user of this backend (not of ChatSDK: ChatSDK learns of them through `POST /tokens`). */
export interface DemoUser {
  id: string;
  name: string;
  role: DemoRole;
}

interface StoredUser extends DemoUser {
  salt: Buffer;
  hash: Buffer;
}

/** The demo's accounts and their passwords, as the login screen lists them; Carol moderates the app (the review queue, bans). */
export const DEMO_ACCOUNTS: ReadonlyArray<DemoUser & { password: string }> = [
  { id: 'alice', name: 'Alice Martin', password: 'alice-demo', role: 'user' },
  { id: 'bob', name: 'Bob Okafor', password: 'bob-demo', role: 'user' },
  { id: 'carol', name: 'Carol Nguyen', password: 'carol-demo', role: 'moderator' },
];

function hash(password: string, salt: Buffer): Buffer {
  return scryptSync(password, salt, 32);
}

/** Passwords are kept as scrypt hashes, as a real backend would; the clear ones above are the demo's fixture. */
const USERS: ReadonlyMap<string, StoredUser> = new Map(
  DEMO_ACCOUNTS.map(({ id, name, password, role }) => {
    const salt = Buffer.from(`demo-salt-${id}`);
    return [id, { id, name, role, salt, hash: hash(password, salt) }];
  }),
);

// An unknown user still costs one scrypt, so timing does not tell which names exist.
const DECOY = { salt: Buffer.from('demo-salt-decoy'), hash: hash('decoy', Buffer.from('demo-salt-decoy')) };

/** The user when the password matches, otherwise undefined. */
export function checkPassword(username: string, password: string): DemoUser | undefined {
  const user = USERS.get(username.trim().toLowerCase());
  const target = user ?? DECOY;
  const ok = timingSafeEqual(hash(password, target.salt), target.hash);
  if (!user || !ok) return undefined;
  return { id: user.id, name: user.name, role: user.role };
}

/** The demo user with this id. */
export function findUser(id: string): DemoUser | undefined {
  const user = USERS.get(id);
  return user && { id: user.id, name: user.name, role: user.role };
}
