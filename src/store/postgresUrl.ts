import { wardenError } from '../errors/index.js';

/**
 * Splits `?schema=` off a Postgres URL and builds its display form, `postgres://user:***@host/db`.
 * The password is returned apart, to be blanked out of error messages (unless it is the user
 * name, which the display form shows anyway).
 * @throws WardenError CONFIG_INVALID for a URL that does not parse.
 * @internal
 */
export function parsePostgresUrl(raw: string): {
  connectionString: string;
  schema: string | undefined;
  password: string | undefined;
  display: string;
} {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw wardenError('CONFIG_INVALID', `store URL "${raw.replace(/\/\/([^:/@]*):.*@/, '//$1:***@')}" is not a valid postgres:// URL`);
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:')
    throw wardenError('CONFIG_INVALID', `store URL must start with postgres:// or postgresql://, got ${u.protocol}//…`);
  const schema = u.searchParams.get('schema') ?? undefined;
  let connectionString = raw;
  if (u.searchParams.has('schema')) {
    const stripped = new URL(raw);
    stripped.searchParams.delete('schema');
    connectionString = stripped.toString();
  }
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  const auth = u.username ? `${u.username}${u.password ? ':***' : ''}@` : '';
  return {
    connectionString,
    schema,
    password: password === decodeURIComponent(u.username) ? undefined : password,
    display: `${u.protocol}//${auth}${u.host}${u.pathname}`,
  };
}
