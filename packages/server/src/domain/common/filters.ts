/**
 * The JSON texts a `custom.<key>=<value>` filter matches: `abc` matches
 * `"abc"`; `5` matches both `5` and `"5"`, since query strings carry no types.
 */
export function jsonCandidates(value: string): string[] {
  const candidates = [JSON.stringify(value)];
  if (/^(true|false|null|-?\d+(\.\d+)?([eE][+-]?\d+)?)$/.test(value)) candidates.push(JSON.stringify(JSON.parse(value)));
  return candidates;
}

/** A case-folded LIKE pattern for a prefix, its wildcards escaped (use with `escape '\'`). */
export function likePrefix(prefix: string): string {
  return `${prefix.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
