/**
 * A Management API error, thrown by handlers and rendered by the app in Auth0's body shape:
 * `{statusCode, error, message, errorCode}`.
 */
export class ManagementApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly error: string,
    message: string,
    readonly errorCode?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  get body() {
    return {
      statusCode: this.statusCode,
      error: this.error,
      message: this.message,
      ...(this.errorCode ? { errorCode: this.errorCode } : {}),
    };
  }
}

export const badRequest = (message: string, errorCode = 'invalid_body') =>
  new ManagementApiError(400, 'Bad Request', message, errorCode);
export const invalidToken = (message = 'Invalid token') =>
  new ManagementApiError(401, 'Unauthorized', message);
export const insufficientScope = (scopes: readonly string[]) =>
  new ManagementApiError(
    403,
    'Forbidden',
    `Insufficient scope, expected any of: ${scopes.join(',')}`,
    'insufficient_scope',
  );
export const userNotFound = () =>
  new ManagementApiError(404, 'Not Found', 'The user does not exist.', 'inexistent_user');
export const notFound = (message: string, errorCode?: string) =>
  new ManagementApiError(404, 'Not Found', message, errorCode);
export const userExists = () =>
  new ManagementApiError(409, 'Conflict', 'The user already exists.', 'auth0_idp_error');
export const tooManyRequests = () =>
  new ManagementApiError(429, 'Too Many Requests', 'Global limit has been reached', 'too_many_requests');
