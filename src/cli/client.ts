/** A small client for the Warden HTTP API, used by the CLI. */

/** A failed API call, carrying the server's error code and message. */
export class ApiError extends Error {
  override name = 'ApiError' as const;
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues?: { path: string; message: string }[],
  ) {
    super(message);
  }
}

/** Talks to `warden serve` at `baseUrl`, sending `WARDEN_API_TOKEN` as the bearer token. */
export class ApiClient {
  readonly baseUrl: string;
  readonly #token: string | undefined;

  constructor(baseUrl?: string, token = process.env.WARDEN_ADMIN_TOKEN || process.env.WARDEN_API_TOKEN) {
    this.baseUrl = (baseUrl ?? process.env.WARDEN_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
    this.#token = token || undefined;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.baseUrl + path, {
        method,
        headers: {
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(this.#token ? { authorization: `Bearer ${this.#token}` } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      throw new ApiError(
        0,
        'CONNECTION_FAILED',
        `cannot reach Warden at ${this.baseUrl}${cause ? ` (${cause})` : ''}; is \`warden serve\` running? (--url or WARDEN_URL)`,
      );
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const e = (json as { error?: { code?: string; message?: string; issues?: { path: string; message: string }[] } } | undefined)?.error;
      throw new ApiError(res.status, e?.code ?? `HTTP_${res.status}`, e?.message ?? `HTTP ${res.status}`, e?.issues);
    }
    return json as T;
  }
}
