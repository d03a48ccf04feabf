import { scryptSync, timingSafeEqual } from 'node:crypto';

/** A user of your app. ChatSDK learns of them only when your backend asks for their tokens. */
export interface AppUser {
  id: string;
  name: string;
}

interface Account extends AppUser {
  salt: Buffer;
  hash: Buffer;
}

const hash = (password: string, salt: Buffer) => scryptSync(password, salt, 32);

/**
 * Stands in for your user table and your login (passwords, OAuth, SAML:
 * ChatSDK does not care which). Passwords are kept as scrypt hashes.
 */
export class Accounts {
  readonly #byName = new Map<string, Account>();
  // An unknown name still costs one scrypt, so the answer's timing does not tell which names exist.
  readonly #decoy = { salt: Buffer.from('decoy-salt'), hash: hash('decoy', Buffer.from('decoy-salt')) };

  constructor(accounts: readonly { id: string; name: string; password: string }[]) {
    for (const { id, name, password } of accounts) {
      const salt = Buffer.from(`salt-${id}`);
      this.#byName.set(id, { id, name, salt, hash: hash(password, salt) });
    }
  }

  /** The user when the password is theirs, otherwise undefined. */
  check(username: string, password: string): AppUser | undefined {
    const account = this.#byName.get(username);
    const target = account ?? this.#decoy;
    const ok = timingSafeEqual(hash(password, target.salt), target.hash);
    return account && ok ? { id: account.id, name: account.name } : undefined;
  }

  /** The user with this id. */
  find(id: string): AppUser | undefined {
    const account = this.#byName.get(id);
    return account && { id: account.id, name: account.name };
  }
}
