// Calls to the service's /v1 API with the key of this browser tab. The key lives in sessionStorage only: never in a
// URL (it would reach history and logs) and never in a cookie (scripts or the server would see it on every request).

const KEY_ITEM = "injury-risk.api-key";

export function storedKey() {
  return sessionStorage.getItem(KEY_ITEM);
}

export function keepKey(key) {
  sessionStorage.setItem(KEY_ITEM, key);
}

export function forgetKey() {
  sessionStorage.removeItem(KEY_ITEM);
}

/** An answer other than 2xx, with the API's detail (a sentence, or FastAPI's list of field errors). */
export class ApiError extends Error {
  constructor(status, detail, retryAfter) {
    super(typeof detail === "string" ? detail : `the service answered ${status}`);
    this.status = status;
    this.detail = detail;
    this.retryAfter = retryAfter;
  }

  /** FastAPI's 422 list as {field: message}, by the last name in each error's location. */
  fieldErrors() {
    const errors = {};
    if (!Array.isArray(this.detail)) return errors;
    for (const item of this.detail) {
      const loc = (item.loc || []).filter((part) => typeof part === "string" && part !== "body" && part !== "query");
      const field = loc.length ? loc[loc.length - 1] : "";
      const message = String(item.msg || "").replace(/^Value error, /, "");
      errors[field] = errors[field] ? `${errors[field]}; ${message}` : message;
    }
    return errors;
  }
}

/** JSON from /v1/PATH; throws ApiError on 4xx/5xx and on a network failure (status 0). */
export async function api(path, { method = "GET", body, key = storedKey() } = {}) {
  const headers = { Accept: "application/json" };
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(`/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, "the service could not be reached");
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    throw new ApiError(response.status, data ? data.detail : null, response.headers.get("Retry-After"));
  }
  return data;
}

export function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== "") search.set(name, value);
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}
