/** The two error shapes Salesforce answers with: request level (an array) and per record (collections). */
export interface SfErrorItem {
  statusCode: string;
  message: string;
  fields: string[];
}

/** Thrown inside handlers; the app turns it into `[{message, errorCode, fields?}]` with `status`. */
export class SfApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly fields?: string[],
    /** A body other than the error array (upsert's 300 answers with the matching record URLs). */
    readonly body?: unknown,
    /** Extra keys on the error item, in both shapes (a duplicate rule's `duplicateResult`). */
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
  }

  toBody(): unknown {
    if (this.body !== undefined) return this.body;
    return [
      this.fields
        ? { message: this.message, errorCode: this.errorCode, fields: this.fields, ...this.extra }
        : { message: this.message, errorCode: this.errorCode, ...this.extra },
    ];
  }

  toItem(): SfErrorItem {
    return { statusCode: this.errorCode, message: this.message, fields: this.fields ?? [], ...this.extra };
  }
}

export const sfError = (status: number, errorCode: string, message: string, fields?: string[]) =>
  new SfApiError(status, errorCode, message, fields);

export const notFound = () => sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
export const malformedQuery = (message: string) => sfError(400, 'MALFORMED_QUERY', message);
