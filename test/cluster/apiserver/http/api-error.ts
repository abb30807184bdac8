/** metav1.Status failures, shaped as k8s.io/apimachinery/pkg/api/errors builds them. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Failure" | "Success";
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** What names a resource in messages: `pods` or `deployments.apps`. */
export interface GroupResource {
  group: string;
  resource: string;
}

export function qualified(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): Status {
    const s: Status = {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
      ...(this.reason ? { reason: this.reason } : {}),
      code: this.code,
    };
    if (this.details) s.details = this.details;
    return s;
  }
}

function detailsOf(gr: GroupResource, name?: string): StatusDetails {
  const d: StatusDetails = {};
  if (name !== undefined) d.name = name;
  if (gr.group) d.group = gr.group;
  d.kind = gr.resource;
  return d;
}

export const notFound = (gr: GroupResource, name: string): ApiError =>
  new ApiError(404, "NotFound", `${qualified(gr)} "${name}" not found`, detailsOf(gr, name));

export const alreadyExists = (gr: GroupResource, name: string): ApiError =>
  new ApiError(409, "AlreadyExists", `${qualified(gr)} "${name}" already exists`, detailsOf(gr, name));

export const conflict = (gr: GroupResource, name: string, why: string): ApiError =>
  new ApiError(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${why}`,
    detailsOf(gr, name),
  );

export const staleConflict = (gr: GroupResource, name: string): ApiError =>
  conflict(
    gr,
    name,
    "the object has been modified; please apply your changes to the latest version and try again",
  );

export interface FieldError {
  type:
    | "FieldValueRequired"
    | "FieldValueInvalid"
    | "FieldValueNotSupported"
    | "FieldValueForbidden"
    | "FieldValueDuplicate";
  field: string;
  detail?: string;
  value?: unknown;
}

const fieldErrorText: Record<FieldError["type"], string> = {
  FieldValueRequired: "Required value",
  FieldValueInvalid: "Invalid value",
  FieldValueNotSupported: "Unsupported value",
  FieldValueForbidden: "Forbidden",
  FieldValueDuplicate: "Duplicate value",
};

/** field.Error.Error(): `spec.x: Invalid value: "v": detail`. */
export function fieldErrorMessage(e: FieldError): string {
  let body = fieldErrorText[e.type];
  if (e.value !== undefined && e.type !== "FieldValueRequired" && e.type !== "FieldValueForbidden") {
    body += `: ${typeof e.value === "string" ? JSON.stringify(e.value) : JSON.stringify(e.value)}`;
  }
  if (e.detail) body += `: ${e.detail}`;
  return `${e.field}: ${body}`;
}

/** 422 Invalid with one cause per field error, like errors.NewInvalid. */
export function invalid(kind: string, group: string, name: string, errs: FieldError[]): ApiError {
  const msgs = errs.map(fieldErrorMessage);
  const joined = msgs.length === 1 ? msgs[0] : `[${msgs.join(", ")}]`;
  const details: StatusDetails = { name };
  if (group) details.group = group;
  details.kind = kind;
  details.causes = errs.map((e) => ({
    reason: e.type,
    message: fieldErrorMessage(e).slice(e.field.length + 2),
    field: e.field,
  }));
  return new ApiError(422, "Invalid", `${kind} "${name}" is invalid: ${joined}`, details);
}

export const badRequest = (message: string): ApiError => new ApiError(400, "BadRequest", message);

export const methodNotSupported = (gr: GroupResource, action: string): ApiError =>
  new ApiError(
    405,
    "MethodNotAllowed",
    `${action} is not supported on resources of kind "${qualified(gr)}"`,
    {
      group: gr.group || undefined,
      kind: gr.resource,
    },
  );

export const pathNotFound = (): ApiError =>
  new ApiError(404, "NotFound", "the server could not find the requested resource", {});

export const unauthorized = (): ApiError => new ApiError(401, "Unauthorized", "Unauthorized");

export const forbidden = (gr: GroupResource, name: string, why: string): ApiError =>
  new ApiError(
    403,
    "Forbidden",
    `${qualified(gr)}${name ? ` "${name}"` : ""} is forbidden: ${why}`,
    detailsOf(gr, name || undefined),
  );

export const gone = (message: string): ApiError => new ApiError(410, "Expired", message);

export const unsupportedMediaType = (type: string): ApiError =>
  new ApiError(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unknown format (${type}) - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`,
  );

export const internalError = (err: unknown): ApiError =>
  new ApiError(
    500,
    "InternalError",
    `Internal error occurred: ${err instanceof Error ? err.message : String(err)}`,
    {
      causes: [{ message: err instanceof Error ? err.message : String(err) }],
    },
  );
