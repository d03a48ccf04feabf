import { type ErrorCode, errorCodes, statusOf } from '@chatsdk/protocol';

/** The parts of a JSON Schema the sweep reads to build valid and invalid inputs. */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  patternProperties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  const?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
}

interface OpenApiParameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: JsonSchema;
}

interface OpenApiOperation {
  security?: Array<Record<string, string[]>>;
  parameters?: OpenApiParameter[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

/** The parts of an OpenAPI 3.1 document the sweep reads. */
export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: {
    schemas?: Record<string, JsonSchema>;
    securitySchemes?: Record<string, { type: string; in?: string; scheme?: string }>;
  };
}

/** How a caller proves who it is: the app's X-API-Key, or a user's Bearer token. */
export type CredentialKind = 'apiKey' | 'bearer';

/** One operation of the document, with what the sweep needs to attack it. */
export interface Operation {
  method: string;
  /** The path template, `{param}` style. */
  path: string;
  /** Every credential kind the operation accepts; empty for a public operation. */
  credentials: CredentialKind[];
  query: Array<{ name: string; schema: JsonSchema; required: boolean }>;
  /** The JSON body schema, when the operation takes a body. */
  body: JsonSchema | undefined;
}

const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** The fetched document, checked just enough to be read as one. */
export function asOpenApiDocument(value: unknown): OpenApiDocument {
  const doc = value as Partial<OpenApiDocument> | null;
  if (typeof doc?.openapi !== 'string' || !doc.openapi.startsWith('3.') || typeof doc.paths !== 'object' || doc.paths === null) {
    throw new Error(`not an OpenAPI 3 document: ${JSON.stringify(value).slice(0, 200)}`);
  }
  return doc as OpenApiDocument;
}

function resolve(doc: OpenApiDocument, schema: JsonSchema): JsonSchema {
  const ref = schema.$ref;
  if (ref === undefined) return schema;
  const name = ref.replace(/^#\/components\/schemas\//, '').replace(/#$/, '');
  const target = doc.components?.schemas?.[name];
  if (!target) throw new Error(`unresolvable $ref ${ref}`);
  return resolve(doc, target);
}

/** Resolves every `$ref` so the generators below read plain schemas. */
function inline(doc: OpenApiDocument, schema: JsonSchema): JsonSchema {
  const s = resolve(doc, schema);
  const out: JsonSchema = { ...s };
  if (s.properties) out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, inline(doc, v)]));
  if (s.items) out.items = inline(doc, s.items);
  if (s.anyOf) out.anyOf = s.anyOf.map((m) => inline(doc, m));
  if (s.oneOf) out.oneOf = s.oneOf.map((m) => inline(doc, m));
  return out;
}

function credentialsOf(doc: OpenApiDocument, security: OpenApiOperation['security']): CredentialKind[] {
  const kinds = new Set<CredentialKind>();
  for (const requirement of security ?? []) {
    for (const name of Object.keys(requirement)) {
      const scheme = doc.components?.securitySchemes?.[name];
      if (scheme?.type === 'apiKey' && scheme.in === 'header') kinds.add('apiKey');
      else if (scheme?.type === 'http' && scheme.scheme?.toLowerCase() === 'bearer') kinds.add('bearer');
      else throw new Error(`security scheme ${name} is not one the sweep knows how to satisfy`);
    }
  }
  return [...kinds];
}

/**
 * Every operation of the document. `aliases` names paths the document hides
 * on purpose (an alias of a listed path), which are swept like the path they copy.
 */
export function readOperations(doc: OpenApiDocument, aliases: Record<string, string[]> = {}): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (!op) continue;
      const bodySchema = op.requestBody?.content?.['application/json']?.schema;
      const operation: Operation = {
        method: method.toUpperCase(),
        path,
        credentials: credentialsOf(doc, op.security),
        query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: inline(doc, p.schema ?? {}), required: p.required === true })),
        body: bodySchema ? inline(doc, bodySchema) : undefined,
      };
      operations.push(operation);
      // An alias the document lists itself is read there, not twice.
      for (const alias of aliases[path] ?? []) if (!doc.paths[alias]) operations.push({ ...operation, path: alias });
    }
  }
  return operations;
}

/** Fills `{param}`s; `valueFor` gets the parameter and the path segment before it (`users` for `/users/{id}`). */
export function fillPath(template: string, valueFor: (param: string, resource: string) => string): string {
  const segments = template.split('/');
  return segments
    .map((segment, i) => {
      const param = /^\{(.+)\}$/.exec(segment)?.[1];
      return param === undefined ? segment : valueFor(param, segments[i - 1] ?? '');
    })
    .join('/');
}

/** True when a concrete path is an instance of the template. */
export function matchesTemplate(template: string, path: string): boolean {
  const pattern = template
    .split('/')
    .map((segment) => (/^\{.+\}$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${pattern}$`).test(path);
}

function typesOf(schema: JsonSchema): Set<string> | undefined {
  const members = schema.anyOf ?? schema.oneOf;
  if (members) {
    const all = new Set<string>();
    for (const member of members) {
      const types = typesOf(member);
      if (!types) return undefined;
      for (const t of types) all.add(t);
    }
    return all;
  }
  if (schema.const !== undefined) return new Set([jsonType(schema.const)]);
  if (schema.enum) return new Set(schema.enum.map(jsonType));
  if (schema.type !== undefined) return new Set(Array.isArray(schema.type) ? schema.type : [schema.type]);
  if (schema.properties || schema.patternProperties) return new Set(['object']);
  return undefined;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** True when the schema names this JSON type among the ones it allows. */
export function declaresType(schema: JsonSchema, type: string): boolean {
  return typesOf(schema)?.has(type) ?? false;
}

/** True when the schema lets a value of this JSON type through (every type, for an unconstrained schema). */
export function acceptsType(schema: JsonSchema, type: string): boolean {
  const types = typesOf(schema);
  return !types || types.has(type);
}

/**
 * Raw JSON values of the right type that break the field's own constraints
 * (range, length, item count, pattern), with what each one breaks.
 */
export function outOfBoundsFor(schema: JsonSchema): Array<{ what: string; raw: string }> {
  // A union of distinct types (string | null) keeps each member's constraints on that member.
  const members = schema.anyOf ?? schema.oneOf;
  if (members) return members.flatMap(outOfBoundsFor);
  const types = typesOf(schema);
  if (!types || types.size !== 1) return [];
  const out: Array<{ what: string; raw: string }> = [];
  if (types.has('integer') || types.has('number')) {
    if (schema.minimum !== undefined) out.push({ what: 'below minimum', raw: String(schema.minimum - 1) });
    if (schema.maximum !== undefined) out.push({ what: 'above maximum', raw: String(schema.maximum + 1) });
    if (types.has('integer')) out.push({ what: 'a fraction', raw: '1.5' });
    out.push({ what: 'out of double range', raw: '1e400' });
  } else if (types.has('string')) {
    if (schema.maxLength !== undefined) out.push({ what: 'too long', raw: JSON.stringify('x'.repeat(schema.maxLength + 1)) });
    if ((schema.minLength ?? 0) > 0) out.push({ what: 'empty', raw: '""' });
    if (schema.pattern && !new RegExp(schema.pattern, 'u').test('has space/')) out.push({ what: 'off pattern', raw: '"has space/"' });
  } else if (types.has('array') && schema.maxItems !== undefined) {
    const item = JSON.stringify(exampleOf(schema.items ?? {}));
    out.push({ what: 'too many items', raw: `[${Array.from({ length: schema.maxItems + 1 }, () => item).join(',')}]` });
  }
  return out;
}

const WRONG_TYPED: Array<[type: string, value: unknown]> = [
  ['integer', 12345],
  ['string', 'sweep-wrong-type'],
  ['boolean', true],
  ['object', { sweep: 1 }],
  ['array', ['sweep']],
];

/** A value whose JSON type the schema does not allow, or undefined when it allows every type. */
export function wrongTypeFor(schema: JsonSchema): unknown {
  const types = typesOf(schema);
  if (!types) return undefined;
  const allows = (t: string) => types.has(t) || (t === 'integer' && types.has('number'));
  return WRONG_TYPED.find(([t]) => !allows(t))?.[1];
}

const STRING_CANDIDATES = ['sweep-value', 'sweep', 'https://example.com', '*', 'a'];

/** A small value the schema accepts: the base that each invalid body changes in one place. */
export function exampleOf(schema: JsonSchema): unknown {
  if (schema.const !== undefined) return schema.const;
  if (schema.enum?.length) return schema.enum[0];
  const members = schema.anyOf ?? schema.oneOf;
  if (members?.length) {
    const preferred = members.find((m) => m.type !== 'null') ?? members[0];
    return preferred ? exampleOf(preferred) : null;
  }
  const types = typesOf(schema);
  const type = types ? [...types][0] : undefined;
  switch (type) {
    case 'object': {
      const value: Record<string, unknown> = {};
      for (const key of schema.required ?? []) value[key] = exampleOf(schema.properties?.[key] ?? {});
      return value;
    }
    case 'array':
      return Array.from({ length: Math.max(schema.minItems ?? 0, schema.items ? 1 : 0) }, () => exampleOf(schema.items ?? {}));
    case 'integer':
    case 'number':
      return schema.minimum ?? Math.min(0, schema.maximum ?? 0);
    case 'boolean':
      return false;
    case 'null':
      return null;
    case 'string': {
      if (schema.format === 'date-time') return new Date(0).toISOString();
      const fits = (s: string) =>
        s.length >= (schema.minLength ?? 0) && s.length <= (schema.maxLength ?? Infinity) && (!schema.pattern || new RegExp(schema.pattern, 'u').test(s));
      return STRING_CANDIDATES.find(fits) ?? 's'.repeat(Math.max(1, schema.minLength ?? 1));
    }
    default:
      return 'sweep';
  }
}

/** A place in a body where a field lives: its path from the root and its schema. */
export interface FieldPoint {
  at: Array<string | number>;
  schema: JsonSchema;
}

/** Every declared field reachable in `value` (the example body), nested ones included. */
export function fieldsOf(schema: JsonSchema, value: unknown, at: Array<string | number> = []): FieldPoint[] {
  const points: FieldPoint[] = [];
  if (schema.properties && typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [key, propSchema] of Object.entries(schema.properties)) {
      points.push({ at: [...at, key], schema: propSchema });
      const child = (value as Record<string, unknown>)[key];
      if (child !== undefined) points.push(...fieldsOf(propSchema, child, [...at, key]));
    }
  } else if (schema.items && Array.isArray(value) && value.length > 0) {
    points.push(...fieldsOf(schema.items, value[0], [...at, 0]));
  }
  return points;
}

/** Objects in `value` whose schema declares its fields (so an unknown one must be refused). */
export function closedObjectsOf(schema: JsonSchema, value: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  const found: Array<Array<string | number>> = [];
  if (schema.properties && typeof value === 'object' && value !== null && !Array.isArray(value)) {
    found.push(at);
    for (const [key, propSchema] of Object.entries(schema.properties)) {
      const child = (value as Record<string, unknown>)[key];
      if (child !== undefined) found.push(...closedObjectsOf(propSchema, child, [...at, key]));
    }
  } else if (schema.items && Array.isArray(value) && value.length > 0) {
    found.push(...closedObjectsOf(schema.items, value[0], [...at, 0]));
  }
  return found;
}

/** A deep copy of `root` with `replacement` at `at`. */
export function setAt(root: unknown, at: ReadonlyArray<string | number>, replacement: unknown): unknown {
  const [head, ...rest] = at;
  if (head === undefined) return replacement;
  if (Array.isArray(root)) return root.map((item, i) => (i === head ? setAt(item, rest, replacement) : item));
  const object = (typeof root === 'object' && root !== null ? root : {}) as Record<string, unknown>;
  return { ...object, [head]: setAt(object[head], rest, replacement) };
}

/** JSON text of `root` with raw JSON text `raw` at `at` (for values JSON.stringify cannot make, such as very deep ones). */
export function withRawAt(root: unknown, at: ReadonlyArray<string | number>, raw: string): string {
  const marker = `__sweep_raw_${Math.random().toString(36).slice(2)}__`;
  return JSON.stringify(setAt(root, at, marker)).replace(`"${marker}"`, () => raw);
}

/** A request the sweep sends, and what it must be answered with. */
export interface Probe {
  what: string;
  method: string;
  /** Path and query, sent as they are. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Send the body chunked, without Content-Length. */
  chunked?: boolean;
  /** The codes that are right for this request; any code of the table with a 4xx status when absent. */
  codes?: readonly ErrorCode[];
}

/** The reply as it came over the wire. */
export interface RawReply {
  status: number;
  headers: Headers;
  text: string;
}

/** Sends a probe; a dropped connection is a reply with status 0. */
export async function send(baseUrl: string, probe: Probe): Promise<RawReply> {
  const encoded = probe.body === undefined ? undefined : new TextEncoder().encode(probe.body);
  const body =
    encoded && probe.chunked
      ? new ReadableStream<Uint8Array>({
          start(controller) {
            for (let i = 0; i < encoded.length; i += 64 * 1024) controller.enqueue(encoded.subarray(i, i + 64 * 1024));
            controller.close();
          },
        })
      : encoded;
  try {
    const response = await fetch(baseUrl + probe.path, {
      method: probe.method,
      headers: probe.headers,
      body,
      redirect: 'manual',
      ...(probe.chunked ? { duplex: 'half' as const } : {}),
    });
    return { status: response.status, headers: response.headers, text: await response.text() };
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return { status: 0, headers: new Headers(), text: `connection failed: ${String(error)}${cause}` };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What is wrong with a reply that should be the one error shape with a 4xx status; empty when nothing. */
export function errorReplyProblems(reply: RawReply, codes?: readonly ErrorCode[]): string[] {
  const status = reply.status < 400 || reply.status > 499 ? [`status ${reply.status} is not 4xx`] : [];
  return [...status, ...errorShapeProblems(reply, codes)];
}

/** What is wrong with a reply that should be the one error shape, whatever its status; empty when nothing. */
export function errorShapeProblems(reply: RawReply, codes?: readonly ErrorCode[]): string[] {
  const problems: string[] = [];
  let body: unknown;
  try {
    body = JSON.parse(reply.text);
  } catch {
    return [...problems, 'body is not JSON'];
  }
  if (!reply.headers.get('content-type')?.startsWith('application/json')) problems.push(`content-type is ${reply.headers.get('content-type')}`);
  const error = isRecord(body) ? body.error : undefined;
  if (!isRecord(body) || Object.keys(body).join() !== 'error' || !isRecord(error)) return [...problems, 'body is not exactly { error: {…} }'];
  const keys = Object.keys(error).sort().join();
  if (keys !== 'code,message,requestId,status') problems.push(`error has the fields ${keys}`);
  const code = error.code;
  if (!errorCodes.includes(code as ErrorCode)) problems.push(`code ${JSON.stringify(code)} is not in the protocol's table`);
  else {
    if (statusOf(code as ErrorCode) !== reply.status) problems.push(`code ${String(code)} belongs with ${statusOf(code as ErrorCode)}`);
    if (codes && !codes.includes(code as ErrorCode)) problems.push(`code ${String(code)} is not one of ${codes.join('|')}`);
  }
  if (error.status !== reply.status) problems.push(`error.status ${JSON.stringify(error.status)} differs from the HTTP status`);
  if (typeof error.message !== 'string' || error.message.length === 0) problems.push('message is not a non-empty string');
  const header = reply.headers.get('x-request-id');
  if (typeof error.requestId !== 'string' || error.requestId.length === 0 || error.requestId !== header) {
    problems.push(`requestId ${JSON.stringify(error.requestId)} differs from x-request-id ${JSON.stringify(header)}`);
  }
  return problems;
}

/** Sends every probe, `concurrency` at a time; returns one line per probe answered wrongly. */
export async function sweep(baseUrl: string, probes: readonly Probe[], concurrency = 8): Promise<string[]> {
  const violations: string[] = [];
  let next = 0;
  async function worker(): Promise<void> {
    for (let probe = probes[next++]; probe !== undefined; probe = probes[next++]) {
      const reply = await send(baseUrl, probe);
      const problems = errorReplyProblems(reply, probe.codes);
      if (problems.length > 0) {
        const path = probe.path.length > 120 ? `${probe.path.slice(0, 117)}...` : probe.path;
        violations.push(`${probe.method} ${path} [${probe.what}] -> ${reply.status} ${reply.text.slice(0, 200)} :: ${problems.join('; ')}`);
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  return violations.sort();
}
