/**
 * Salesforce errors → ConcordError, in one place: request-level errors (jsforce HttpApiError, token
 * endpoint `{error, error_description}`, network failures) and per-record collection errors.
 */
import { ConcordError, type ErrorCode } from '../../core/errors.js';

interface Rule {
  code: ErrorCode;
  status: number;
  retryable?: boolean;
}

const BY_VENDOR_CODE: Record<string, Rule> = {
  INVALID_SESSION_ID: { code: 'auth', status: 401, retryable: false },
  REQUEST_LIMIT_EXCEEDED: { code: 'rate_limited', status: 403 },
  UNABLE_TO_LOCK_ROW: { code: 'lock', status: 400 },
  SERVER_UNAVAILABLE: { code: 'unavailable', status: 503 },
  UNKNOWN_EXCEPTION: { code: 'unavailable', status: 500 },
  DUPLICATE_VALUE: { code: 'conflict', status: 400 },
  DUPLICATE_EXTERNAL_ID: { code: 'conflict', status: 400 },
  MULTIPLE_CHOICES: { code: 'conflict', status: 300 },
  DUPLICATES_DETECTED: { code: 'duplicate_rule', status: 400 },
  NOT_FOUND: { code: 'not_found', status: 404 },
  ENTITY_IS_DELETED: { code: 'not_found', status: 400 },
  INVALID_CROSS_REFERENCE_KEY: { code: 'invalid_request', status: 400 },
  INVALID_FIELD: { code: 'invalid_request', status: 400 },
  INVALID_TYPE: { code: 'invalid_request', status: 400 },
  MALFORMED_QUERY: { code: 'invalid_request', status: 400 },
  MALFORMED_ID: { code: 'invalid_request', status: 400 },
  REQUIRED_FIELD_MISSING: { code: 'invalid_request', status: 400 },
  INVALID_FIELD_FOR_INSERT_UPDATE: { code: 'invalid_request', status: 400 },
  CANNOT_UPDATE_CONVERTED_LEAD: { code: 'invalid_request', status: 400 },
  ALL_OR_NONE_OPERATION_ROLLED_BACK: { code: 'invalid_request', status: 400 },
  JSON_PARSER_ERROR: { code: 'invalid_request', status: 400 },
  STRING_TOO_LONG: { code: 'invalid_request', status: 400 },
  INVALID_EMAIL_ADDRESS: { code: 'invalid_request', status: 400 },
  FIELD_CUSTOM_VALIDATION_EXCEPTION: { code: 'invalid_request', status: 400 },
  FIELD_INTEGRITY_EXCEPTION: { code: 'invalid_request', status: 400 },
  INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST: { code: 'invalid_request', status: 400 },
  INVALID_QUERY_FILTER_OPERATOR: { code: 'invalid_request', status: 400 },
  INVALID_QUERY_LOCATOR: { code: 'invalid_request', status: 400 },
  EXCEEDED_ID_LIMIT: { code: 'invalid_request', status: 400 },
  MISSING_ARGUMENT: { code: 'invalid_request', status: 400 },
  CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY: { code: 'invalid_request', status: 400 },
  INSUFFICIENT_ACCESS_OR_READONLY: { code: 'permission', status: 400 },
  INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY: { code: 'permission', status: 400 },
  API_DISABLED_FOR_ORG: { code: 'permission', status: 403 },
  API_CURRENTLY_DISABLED: { code: 'permission', status: 403 },
};

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EPIPE',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
]);

function ruleFor(vendorCode: string): Rule {
  const known = BY_VENDOR_CODE[vendorCode];
  if (known) return known;
  if (vendorCode.startsWith('INSUFFICIENT_ACCESS')) return { code: 'permission', status: 403 };
  const http = /^ERROR_HTTP_(\d{3})$/.exec(vendorCode);
  if (http) {
    const status = Number(http[1]);
    if (status >= 500) return { code: 'unavailable', status };
    if (status === 429) return { code: 'rate_limited', status };
    if (status === 401) return { code: 'auth', status, retryable: false };
    if (status === 403) return { code: 'permission', status };
    if (status === 404) return { code: 'not_found', status };
    return { code: 'invalid_request', status };
  }
  return { code: 'invalid_request', status: 400 };
}

/** Record ids named by a DUPLICATES_DETECTED payload (`duplicateResult` or the real-world `duplicateResut`). */
export function duplicateMatchIds(payload: unknown): string[] {
  if (typeof payload !== 'object' || payload === null) return [];
  const p = payload as Record<string, unknown>;
  const result = (p['duplicateResult'] ?? p['duplicateResut']) as { matchResults?: unknown[] } | undefined;
  const ids: string[] = [];
  for (const match of result?.matchResults ?? []) {
    for (const rec of (match as { matchRecords?: Array<{ record?: { Id?: unknown } }> }).matchRecords ?? []) {
      if (typeof rec.record?.Id === 'string') ids.push(rec.record.Id);
    }
  }
  return ids;
}

export function fromVendorCode(
  vendorCode: string,
  message: string,
  extra: { cause?: unknown; fields?: unknown; payload?: unknown; status?: number } = {},
): ConcordError {
  const rule = ruleFor(vendorCode);
  const details: Record<string, unknown> = {};
  if (Array.isArray(extra.fields) && extra.fields.length > 0) details['fields'] = extra.fields;
  if (vendorCode === 'DUPLICATES_DETECTED') details['matchIds'] = duplicateMatchIds(extra.payload);
  return new ConcordError(message, {
    code: rule.code,
    ...(rule.retryable !== undefined ? { retryable: rule.retryable } : {}),
    vendorCode,
    status: extra.status ?? rule.status,
    cause: extra.cause,
    ...(Object.keys(details).length > 0 ? { details } : {}),
  });
}

/** A per-record error from a collection result: `{statusCode, message, fields}` (plus duplicate payloads). */
export function fromRecordError(item: unknown): ConcordError {
  const e = (item ?? {}) as { statusCode?: string; errorCode?: string; message?: string; fields?: unknown };
  const vendorCode = e.statusCode ?? e.errorCode ?? 'UNKNOWN_EXCEPTION';
  return fromVendorCode(vendorCode, e.message ?? vendorCode, { fields: e.fields, payload: item });
}

/** A thrown error from jsforce or fetch. */
export function fromRequestError(error: unknown): ConcordError {
  if (error instanceof ConcordError) return error;
  const e = error as {
    errorCode?: string;
    name?: string;
    message?: string;
    code?: string;
    data?: unknown;
    cause?: { code?: string };
  };
  const networkCode = e?.code ?? e?.cause?.code;
  if (networkCode && NETWORK_CODES.has(networkCode)) {
    return new ConcordError(`Salesforce unreachable: ${e.message ?? networkCode}`, {
      code: 'unavailable',
      vendorCode: networkCode,
      cause: error,
    });
  }
  if (
    e?.name === 'FetchError' ||
    e?.name === 'AbortError' ||
    (error instanceof TypeError && e.message === 'fetch failed')
  ) {
    return new ConcordError(`Salesforce unreachable: ${e.message}`, { code: 'unavailable', cause: error });
  }
  if (typeof e?.errorCode === 'string') {
    if (e.errorCode === 'MULTIPLE_API_ERRORS' && Array.isArray(e.data) && e.data.length > 0) {
      const first = e.data[0] as { errorCode?: string; message?: string; fields?: unknown };
      return fromVendorCode(first.errorCode ?? 'UNKNOWN_EXCEPTION', first.message ?? 'Salesforce error', {
        cause: error,
        fields: first.fields,
        payload: first,
      });
    }
    const data = e.data as { fields?: unknown } | undefined;
    return fromVendorCode(e.errorCode, e.message ?? e.errorCode, {
      cause: error,
      fields: data?.fields,
      payload: e.data,
    });
  }
  return new ConcordError(e?.message ?? String(error), { code: 'internal', retryable: false, cause: error });
}

const TOKEN_HINTS: Record<string, string> = {
  invalid_client_id: 'check the client id (consumer key) of the External Client App / connected app',
  invalid_client:
    'check the client id and secret, and that the client credentials flow is enabled with a run-as user',
  invalid_grant:
    'check the JWT: the certificate uploaded to the app, `sub` (an approved, active username), `aud` (login/test URL) and the machine clock',
  unsupported_grant_type: 'enable this OAuth flow on the External Client App',
  inactive_user: 'the integration user is inactive',
  inactive_org: 'the org is inactive or locked',
};

/** A token endpoint failure: never retryable by itself, tells the operator what to check. */
export function fromTokenError(status: number, body: unknown): ConcordError {
  const b = (body ?? {}) as { error?: string; error_description?: string };
  const vendorCode = b.error ?? `ERROR_HTTP_${status}`;
  if (status >= 500 || vendorCode === 'rate_limit_exceeded') {
    return new ConcordError(`Salesforce token endpoint answered ${status} ${vendorCode}`, {
      code: status >= 500 ? 'unavailable' : 'rate_limited',
      vendorCode,
      status,
    });
  }
  const hint =
    TOKEN_HINTS[vendorCode] ?? 'check the Salesforce auth settings (login URL, client id, credentials)';
  return new ConcordError(
    `Salesforce rejected the token request: ${vendorCode}${b.error_description ? ` (${b.error_description})` : ''}; ${hint}`,
    { code: 'auth', retryable: false, vendorCode, status },
  );
}
