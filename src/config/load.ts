import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { TEMPLATES } from '../templates/index.js';
import { formatPath, interpolateEnv } from './interpolate.js';
import { type ConcordConfig, configSchema, crossCheck } from './schema.js';

/** A pipeline with its template parameters parsed by the template's own schema (defaults filled in). */
export interface ResolvedPipeline {
  name: string;
  tenant: string;
  org: string;
  template: string;
  mode: 'live' | 'dry-run';
  enabled: boolean;
  params: unknown;
}

export interface LoadedConfig {
  config: ConcordConfig;
  pipelines: ResolvedPipeline[];
}

/** Reads, interpolates and validates a YAML config file. Throws ConfigError naming each bad path. */
export function loadConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  return parseConfigText(text, env, path);
}

export function parseConfigText(
  text: string,
  env: NodeJS.ProcessEnv = process.env,
  source = 'config',
): LoadedConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: true });
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` at line ${error.linePos[0].line}` : '';
    throw new ConfigError(`${source} is not valid YAML${where}: ${(error as Error).message.split('\n')[0]}`);
  }
  return parseConfigObject(interpolateEnv(raw ?? {}, env), source);
}

export function parseConfigObject(raw: unknown, source = 'config'): LoadedConfig {
  const parsed = configSchema.safeParse(raw);
  const found = [...(parsed.success ? [] : parsed.error.issues), ...crossCheck(raw)];
  if (!parsed.success || found.length > 0) {
    const issues = found.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
    const lines = issues.map((i) => `  ${i.path}: ${i.message}`).join('\n');
    throw new ConfigError(
      `${source} has ${issues.length} problem${issues.length === 1 ? '' : 's'}:\n${lines}`,
      issues,
    );
  }
  const config = parsed.data!;
  const pipelines = config.pipelines.map((p) => ({
    name: p.name,
    tenant: p.auth0,
    org: p.salesforce,
    template: p.template,
    mode: p.mode,
    enabled: p.enabled,
    params: TEMPLATES[p.template]!.params.parse(p.params),
  }));
  return { config, pipelines };
}

/** JSON Schema of the config file, for editors (YAML language server `# yaml-language-server: $schema=`). */
export function configJsonSchema(): unknown {
  return z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' });
}
