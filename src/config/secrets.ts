import type { Config } from './schema.js';

/**
 * The values of every secret the config names through an `…Env` field (tokens, API keys, SMTP
 * passwords, secret headers), so they can be redacted from notifications, logs and responses.
 */
export function secretValues(config: Config, env: Record<string, string | undefined>): string[] {
  const names = new Set<string>();
  for (const agent of Object.values(config.agents)) {
    const a = agent.adapter as { apiKeyEnv?: string; headersEnv?: Record<string, string> };
    if (a.apiKeyEnv) names.add(a.apiKeyEnv);
    for (const n of Object.values(a.headersEnv ?? {})) names.add(n);
    for (const n of agent.process?.inheritEnv ?? []) names.add(n);
    for (const step of agent.recovery ?? [])
      if (step.strategy === 'webhook') for (const n of Object.values(step.headersEnv ?? {})) names.add(n);
  }
  for (const ladder of Object.values(config.supervisor.recovery)) {
    for (const step of ladder) if (step.strategy === 'webhook') for (const n of Object.values(step.headersEnv ?? {})) names.add(n);
  }
  for (const ch of Object.values(config.escalation.channels)) {
    if (ch.type === 'slack') names.add(ch.tokenEnv);
    // An SMTP user name is not a secret, and redacting it would mangle any text that contains it.
    if (ch.type === 'email' && ch.smtp.passwordEnv) names.add(ch.smtp.passwordEnv);
  }
  for (const n of ['WARDEN_API_TOKEN', 'WARDEN_ADMIN_TOKEN']) names.add(n);
  return [...names].map((n) => env[n]).filter((v): v is string => typeof v === 'string' && v.length >= 4);
}
