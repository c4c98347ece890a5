// The cohort: the tenant's assessed athletes by relative risk, filtered by injury, band and external id, a page at a
// time (GET /v1/cohort/risk), with the date of each athlete's latest assessment.
import { api, query } from "./api.js";
import { BAND_NAMES, band, date, h, INJURY_NAMES, ratio, replace } from "./dom.js";
import { empty, loading, showFailure } from "./states.js";

const PAGE_SIZE = 20;

// Kept while the tab is open, so coming back from an athlete shows the same list.
const state = { injury: "", minBand: "", search: "", cursors: [null] };

export async function showCohort(main) {
  document.title = "Cohort · Runner injury risk";
  const results = h("div", { id: "cohort-results" });
  replace(main, h("h1", {}, "Cohort by injury risk"), filters(results), results);
  await load(results);
}

function select(id, label, options, value, onChange) {
  const control = h(
    "select",
    { id, name: id },
    options.map(([optionValue, text]) => h("option", { value: optionValue, selected: optionValue === value }, text)),
  );
  control.addEventListener("change", () => onChange(control.value));
  return h("div", { class: "field" }, h("label", { for: id }, label), control);
}

function filters(results) {
  const restart = () => {
    state.cursors = [null];
    load(results);
  };
  const search = h("input", {
    id: "search",
    name: "search",
    type: "search",
    value: state.search,
    maxlength: "64",
    placeholder: "e.g. runner-0042",
    autocomplete: "off",
  });
  let timer = null;
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      state.search = search.value.trim();
      restart();
    }, 250);
  });
  return h(
    "form",
    { class: "filters", role: "search", "aria-label": "Filter the cohort", onsubmit: (event) => event.preventDefault() },
    select(
      "injury",
      "Injury",
      [["", "Highest of the four"], ...Object.entries(INJURY_NAMES)],
      state.injury,
      (value) => {
        state.injury = value;
        restart();
      },
    ),
    select(
      "band",
      "Band",
      [["", "Any band"], ...Object.entries(BAND_NAMES).slice(1).map(([value, name]) => [value, `${name} or above`])],
      state.minBand,
      (value) => {
        state.minBand = value;
        restart();
      },
    ),
    h("div", { class: "field" }, h("label", { for: "search" }, "Search by external id"), search),
  );
}

async function load(results) {
  loading(results, "Loading the cohort…");
  const page = state.cursors.length - 1;
  let answer;
  let athletes;
  try {
    [answer, athletes] = await Promise.all([
      api(
        `/cohort/risk${query({
          injury: state.injury,
          min_band: state.minBand,
          search: state.search,
          limit: PAGE_SIZE,
          cursor: state.cursors[page],
        })}`,
      ),
      api("/athletes?limit=1"),
    ]);
  } catch (error) {
    showFailure(results, error, () => load(results));
    return;
  }
  const filtered = state.injury || state.minBand || state.search;
  if (athletes.count === 0) {
    replace(
      results,
      empty(
        "No athletes yet",
        "Athletes appear here once a training platform adds them and their log (POST /v1/athletes) and they are " +
          "assessed, for example by the nightly batch job (injury-risk score --tenant NAME --to-db).",
      ),
    );
    return;
  }
  if (answer.count === 0) {
    replace(
      results,
      filtered
        ? empty("No athlete matches", "No assessed athlete matches these filters. Clear the search or choose another band.")
        : empty(
            "No assessment yet",
            `${athletes.count} athlete${athletes.count === 1 ? " is" : "s are"} stored, none assessed yet. Assessments ` +
              "come from the batch job (injury-risk score --tenant NAME --to-db) or from opening an athlete.",
          ),
    );
    return;
  }
  const unassessed = filtered ? 0 : athletes.count - answer.count;
  replace(
    results,
    h(
      "p",
      { class: "summary", role: "status" },
      `${answer.count} assessed athlete${answer.count === 1 ? "" : "s"}`,
      state.injury ? `, by ${INJURY_NAMES[state.injury].toLowerCase()} risk` : ", by their highest relative risk",
      unassessed > 0 ? `; ${unassessed} more not assessed yet` : "",
      ".",
    ),
    table(answer.data),
    pager(results, answer),
  );
}

function table(entries) {
  const sortedBy = state.injury || null;
  const head = h(
    "tr",
    {},
    h("th", { scope: "col" }, "Athlete"),
    h("th", { scope: "col" }, "Assessed for"),
    Object.entries(INJURY_NAMES).map(([kind, name]) =>
      h("th", { scope: "col", "aria-sort": sortedBy === kind ? "descending" : null }, name),
    ),
  );
  const rows = entries.map((entry) => {
    const risks = Object.fromEntries(entry.assessment.risks.map((risk) => [risk.injury, risk]));
    return h(
      "tr",
      { "data-athlete": entry.athlete_id },
      h("th", { scope: "row" }, h("a", { href: `#/athletes/${entry.athlete_id}` }, entry.external_id)),
      h("td", {}, h("time", { datetime: entry.assessment.as_of }, date(entry.assessment.as_of))),
      Object.keys(INJURY_NAMES).map((kind) =>
        h(
          "td",
          { class: sortedBy === kind ? "sorted" : null },
          band(risks[kind]?.band),
          " ",
          h("span", { class: "rr" }, risks[kind]?.relative_risk == null ? "injured" : ratio(risks[kind].relative_risk)),
        ),
      ),
    );
  });
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "cohort" },
      h("caption", { class: "visually-hidden" }, "Assessed athletes, highest relative risk first"),
      h("thead", {}, head),
      h("tbody", {}, rows),
    ),
  );
}

function pager(results, answer) {
  const page = state.cursors.length;
  const previous = h("button", { type: "button", class: "secondary", disabled: page === 1 }, "Previous page");
  const next = h("button", { type: "button", class: "secondary", disabled: !answer.next_cursor }, "Next page");
  previous.addEventListener("click", () => {
    state.cursors.pop();
    load(results);
  });
  next.addEventListener("click", () => {
    state.cursors.push(answer.next_cursor);
    load(results);
  });
  const pages = Math.max(1, Math.ceil(answer.count / PAGE_SIZE));
  return h("nav", { class: "pager", "aria-label": "Pages" }, previous, h("span", {}, `Page ${page} of ${pages}`), next);
}
