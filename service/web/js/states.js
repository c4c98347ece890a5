// Loading, empty and error states every view shares, so each looks deliberate and says what to do next.
import { ApiError } from "./api.js";
import { h, replace } from "./dom.js";

/** A refused key: a plain sentence for each reason the API gives (null for other failures). */
export function keyProblem(error) {
  if (!(error instanceof ApiError)) return null;
  if (error.status === 401) {
    const reason = typeof error.detail === "string" ? error.detail.replace(/^the API key is /, "") : "not accepted";
    return `That API key was not accepted: it is ${reason}. Ask your administrator for a clinician key.`;
  }
  if (error.status === 403) return "That key's role may not read athletes: sign in with a clinician or platform key.";
  return null;
}

/** The sentence for a failure that is not the user's input: database down, no model, network. */
export function failureText(error) {
  if (!(error instanceof ApiError)) return `Something went wrong in this page: ${error.message}`;
  if (error.status === 503) {
    const wait = error.retryAfter ? ` It reconnects by itself; try again in ${error.retryAfter} seconds.` : "";
    return `The service cannot reach its database or model right now (${error.message}).${wait}`;
  }
  if (error.status === 0) return "The service could not be reached. Check the connection and try again.";
  if (error.status === 404) return "Not found: this athlete does not exist or belongs to another organisation.";
  if (error.status === 409) return `The stored log cannot be used as it is: ${error.message}`;
  return `The service answered ${error.status}: ${error.message}`;
}

/** Replace `container` with an error panel; a refused key (401) signs out and says why on the sign-in form. */
export function showFailure(container, error, retry) {
  if (error instanceof ApiError && error.status === 401) {
    window.dispatchEvent(new CustomEvent("key-refused", { detail: keyProblem(error) }));
    return;
  }
  const unavailable = error instanceof ApiError && error.status === 503;
  replace(
    container,
    h(
      "section",
      { class: `state state-error${unavailable ? " state-unavailable" : ""}`, role: "alert" },
      h("h2", {}, unavailable ? "Service unavailable" : "Something went wrong"),
      h("p", {}, failureText(error)),
      retry ? h("button", { type: "button", onclick: retry }, "Try again") : null,
    ),
  );
}

export function loading(container, text) {
  replace(container, h("p", { class: "loading", role: "status" }, text));
}

export function empty(title, ...lines) {
  return h("section", { class: "state state-empty" }, h("h2", {}, title), ...lines.map((line) => h("p", {}, line)));
}
