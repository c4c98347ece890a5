// The page's frame: sign-in, sign-out, the route in the URL fragment (#/cohort, #/athletes/ID) and the error states
// every view shares.
import { api, forgetKey, keepKey, storedKey } from "./api.js";
import { showAthlete } from "./athlete.js";
import { showCohort } from "./cohort.js";
import { h, replace } from "./dom.js";
import { failureText, keyProblem, showFailure } from "./states.js";

const main = document.getElementById("main");
const signOutButton = document.getElementById("sign-out");
const who = document.getElementById("who");

let notice = null; // {text, error}: shown on the sign-in form (signed out, or why the last key stopped working)

function signOut(message = null, error = false) {
  forgetKey();
  notice = message ? { text: message, error } : null;
  signOutButton.hidden = true;
  who.hidden = true;
  if (location.hash !== "#/signin") location.hash = "#/signin";
  else route();
}

signOutButton.addEventListener("click", () => signOut("You are signed out. The key is gone from this browser tab."));

function showSignIn() {
  document.title = "Sign in · Runner injury risk";
  const input = h("input", {
    id: "api-key",
    name: "api-key",
    type: "password",
    autocomplete: "off",
    spellcheck: "false",
    required: true,
    "aria-describedby": "key-help key-error",
  });
  const error = h("p", { id: "key-error", class: "field-error", role: "alert" }, notice?.error ? notice.text : "");
  const info = notice && !notice.error ? h("p", { class: "info", role: "status" }, notice.text) : null;
  notice = null;
  const button = h("button", { type: "submit" }, "Sign in");
  const form = h(
    "form",
    { class: "card signin", novalidate: true },
    h("h1", {}, "Sign in"),
    info,
    h("label", { for: "api-key" }, "API key"),
    input,
    h(
      "p",
      { id: "key-help", class: "help" },
      "A clinician or platform key from your administrator (injury-risk keys create). It stays in this browser tab " +
        "until you sign out or close the tab.",
    ),
    error,
    button,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (!key) {
      error.textContent = "Enter an API key.";
      input.focus();
      return;
    }
    button.disabled = true;
    error.textContent = "";
    try {
      await api("/athletes?limit=1", { key });
      keepKey(key);
      location.hash = "#/cohort";
    } catch (problem) {
      error.textContent =
        keyProblem(problem) || failureText(problem);
      input.focus();
    } finally {
      button.disabled = false;
    }
  });
  replace(main, form);
  input.focus();
}

async function route() {
  main.setAttribute("aria-busy", "true");
  const hash = location.hash || "#/cohort";
  if (!storedKey()) {
    signOutButton.hidden = true;
    if (hash !== "#/signin") {
      location.hash = "#/signin";
      return;
    }
  }
  if (hash === "#/signin") {
    if (storedKey()) {
      location.hash = "#/cohort";
      return;
    }
    showSignIn();
    main.setAttribute("aria-busy", "false");
    return;
  }
  signOutButton.hidden = false;
  const athlete = hash.match(/^#\/athletes\/([A-Za-z0-9._~-]+)$/);
  try {
    if (athlete) await showAthlete(main, athlete[1]);
    else await showCohort(main);
  } catch (error) {
    showFailure(main, error, route);
  } finally {
    main.setAttribute("aria-busy", "false");
  }
}

window.addEventListener("key-refused", (event) => signOut(event.detail, true));
window.addEventListener("hashchange", route);
route();
