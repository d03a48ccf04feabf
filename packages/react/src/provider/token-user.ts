/** The user a JWT is for (its `sub`), without verifying it (the server does); undefined for anything else. */
export function tokenUser(token: string | undefined): string | undefined {
  const payload = token?.split('.')[1];
  if (!payload) return undefined;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const claims: unknown = JSON.parse(json);
    return typeof claims === 'object' && claims !== null && typeof (claims as { sub?: unknown }).sub === 'string' ? (claims as { sub: string }).sub : undefined;
  } catch {
    return undefined;
  }
}
