/**
 * An error with the HTTP answer it stands for. `body` is sent as it is:
 * `{"error": ...}` for most statuses, `{"<field>": ...}` for 400s, as
 * CommCare HQ answers.
 */
export class HttpError extends Error {
  override name = 'HttpError';

  constructor(
    readonly status: number,
    readonly code: string,
    readonly body: Record<string, string>,
    readonly headers: Record<string, string> = {},
  ) {
    super(Object.values(body).join('; '));
  }

  static error(status: number, code: string, message: string, headers?: Record<string, string>): HttpError {
    return new HttpError(status, code, { error: message }, headers);
  }

  /** A 400 with one entry per field, in CommCare HQ's `{"<field>": "<message>"}` shape. */
  static fields(fieldErrors: Record<string, string>): HttpError {
    return new HttpError(400, 'invalid_request', fieldErrors);
  }
}
