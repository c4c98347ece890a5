// The two forms that send data: record an injury (PUT .../injuries/{id}) and a what-if plan (POST .../what-if).
// The API validates; its 422 messages are shown next to the fields they name.
import { api, ApiError } from "./api.js";
import { addDays, band, date, h, INJURY_NAMES, isoDay, percent, ratio, replace } from "./dom.js";
import { showFailure } from "./states.js";

function field(id, label, control, hint) {
  const error = h("p", { id: `${id}-error`, class: "field-error" });
  control.id = id;
  control.setAttribute("aria-describedby", `${id}-error${hint ? ` ${id}-hint` : ""}`);
  return {
    element: h(
      "div",
      { class: "field" },
      h("label", { for: id }, label),
      control,
      hint ? h("p", { id: `${id}-hint`, class: "help" }, hint) : null,
      error,
    ),
    control,
    error,
  };
}

function showFieldErrors(fields, formError, error) {
  for (const f of Object.values(fields)) {
    f.error.textContent = "";
    f.control.removeAttribute("aria-invalid");
  }
  formError.textContent = "";
  const messages = error.fieldErrors();
  let first = null;
  for (const [name, message] of Object.entries(messages)) {
    // A rule across fields ("resolved is before onset") comes without a field: it goes to the field it names first.
    const named = Object.keys(fields)
      .filter((key) => message.includes(key))
      .sort((a, b) => message.indexOf(a) - message.indexOf(b));
    const target = fields[name] || fields[named[0]];
    if (target) {
      target.error.textContent = message;
      target.control.setAttribute("aria-invalid", "true");
      first = first || target.control;
    } else {
      formError.textContent = formError.textContent ? `${formError.textContent}; ${message}` : message;
    }
  }
  (first || formError).focus?.();
}

export function injuryForm(athleteId, onSaved) {
  const fields = {
    kind: field(
      "injury-kind",
      "Injury",
      h("select", { name: "kind" }, Object.entries(INJURY_NAMES).map(([value, name]) => h("option", { value }, name))),
    ),
    side: field(
      "injury-side",
      "Side",
      h(
        "select",
        { name: "side" },
        [
          ["", "Not stated"],
          ["left", "Left"],
          ["right", "Right"],
          ["both", "Both"],
        ].map(([value, name]) => h("option", { value }, name)),
      ),
    ),
    onset: field("injury-onset", "Onset", h("input", { type: "date", name: "onset" })),
    resolved: field(
      "injury-resolved",
      "Resolved",
      h("input", { type: "date", name: "resolved" }),
      "Back to full training; leave empty while ongoing.",
    ),
    notes: field("injury-notes", "Notes", h("textarea", { name: "notes", rows: 2, maxlength: 4000 })),
  };
  const formError = h("p", { class: "field-error", role: "alert", tabindex: "-1" });
  const status = h("p", { class: "info", role: "status" });
  const button = h("button", { type: "submit" }, "Record injury");
  const form = h(
    "form",
    { class: "injury-form", novalidate: true, "aria-labelledby": "record-heading" },
    h("h3", { id: "record-heading" }, "Record an injury"),
    h("div", { class: "grid" }, Object.values(fields).map((f) => f.element)),
    formError,
    button,
    status,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = (name) => fields[name].control.value.trim() || null;
    const body = {
      kind: value("kind"),
      side: value("side"),
      onset: value("onset"),
      resolved: value("resolved"),
      notes: value("notes"),
    };
    // The clinic's own id for this record; a new one per recorded injury.
    const externalId = `clinic-${Date.now().toString(36)}`;
    button.disabled = true;
    status.textContent = "";
    try {
      await api(`/athletes/${athleteId}/injuries/${externalId}`, { method: "PUT", body });
      status.textContent = `Recorded: ${INJURY_NAMES[body.kind]} from ${date(body.onset)}.`;
      onSaved();
    } catch (error) {
      if (error instanceof ApiError && error.status === 422) showFieldErrors(fields, formError, error);
      else if (error instanceof ApiError && error.status === 403)
        formError.textContent = "This key's role may not record injuries: use a clinician key.";
      else showFailure(form, error);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

const DEFAULT_PLAN = [
  [2, 8],
  [4, 10],
  [6, 18],
];

export function whatIfForm(athleteId, day) {
  const asOf = day || isoDay(new Date());
  const section = h("section", { class: "panel", "aria-labelledby": "what-if-heading" });
  const rows = h("ol", { class: "plan-rows" });
  const result = h("div", { class: "what-if-result", "aria-live": "polite" });
  const formError = h("p", { class: "field-error", role: "alert", tabindex: "-1" });
  let count = 0;
  const addRow = (offset = 1, distance = "") => {
    count += 1;
    const n = count;
    const daySelect = h(
      "select",
      { name: "day" },
      Array.from({ length: 14 }, (_, i) =>
        h("option", { value: addDays(asOf, i + 1), selected: i + 1 === offset }, `Day ${i + 1} (${date(addDays(asOf, i + 1))})`),
      ),
    );
    const kmInput = h("input", { type: "number", name: "km", min: "0", step: "0.1", value: distance, inputmode: "decimal" });
    const dayField = field(`plan-day-${n}`, `Run ${rows.children.length + 1}: day`, daySelect);
    const kmField = field(`plan-km-${n}`, "km", kmInput);
    const remove = h("button", { type: "button", class: "secondary small", "aria-label": `Remove run ${rows.children.length + 1}` }, "Remove");
    const row = h("li", { class: "plan-row" }, dayField.element, kmField.element, remove);
    row.fields = { date: dayField, km: kmField };
    remove.addEventListener("click", () => row.remove());
    rows.append(row);
  };
  DEFAULT_PLAN.forEach(([offset, distance]) => addRow(offset, distance));
  const form = h(
    "form",
    { novalidate: true },
    h("p", { class: "help" }, `Planned runs for the 14 days after ${date(asOf)}, against the stored log.`),
    rows,
    h("button", { type: "button", class: "secondary", onclick: () => addRow() }, "Add a run"),
    " ",
    h("button", { type: "submit" }, "Show the risk"),
    formError,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const planned = [...rows.children].map((row, i) => ({
      row,
      run: { id: `plan-${i + 1}`, date: row.fields.date.control.value, km: row.fields.km.control.value === "" ? null : Number(row.fields.km.control.value) },
    }));
    for (const { row } of planned) for (const f of Object.values(row.fields)) f.error.textContent = "";
    formError.textContent = "";
    replace(result, h("p", { class: "loading", role: "status" }, "Scoring the plan…"));
    try {
      const answer = await api(`/athletes/${athleteId}/what-if`, {
        method: "POST",
        body: { as_of: asOf, planned_runs: planned.map((p) => p.run) },
      });
      replace(result, whatIfTable(answer));
    } catch (error) {
      replace(result);
      if (error instanceof ApiError && error.status === 422 && Array.isArray(error.detail)) {
        for (const item of error.detail) {
          const loc = item.loc || [];
          const at = loc.indexOf("planned_runs");
          const target = at >= 0 ? planned[loc[at + 1]]?.row.fields[loc[at + 2]] : null;
          const message = String(item.msg).replace(/^Value error, /, "");
          if (target) {
            target.error.textContent = message;
            target.control.setAttribute("aria-invalid", "true");
          } else formError.textContent = message;
        }
      } else showFailure(result, error);
    }
  });
  replace(section, h("h2", { id: "what-if-heading" }, "What if"), form, result);
  return section;
}

function whatIfTable(answer) {
  return h(
    "table",
    { class: "what-if" },
    h("caption", {}, `Risk on ${date(answer.plan_end)}, the plan's last day`),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col" }, "Injury"),
        h("th", { scope: "col" }, "Without the plan"),
        h("th", { scope: "col" }, "With the plan"),
        h("th", { scope: "col" }, "Change"),
      ),
    ),
    h(
      "tbody",
      {},
      answer.risks.map((risk) =>
        h(
          "tr",
          {},
          h("th", { scope: "row" }, risk.name),
          h("td", {}, band(risk.band_without_plan), " ", percent(risk.probability_without_plan)),
          h("td", {}, band(risk.band_with_plan), " ", percent(risk.probability_with_plan), ` (${ratio(risk.relative_risk_with_plan)})`),
          h(
            "td",
            {},
            risk.change === null ? "–" : `${risk.change >= 0 ? "+" : "−"}${percent(Math.abs(risk.change))}`,
          ),
        ),
      ),
    ),
  );
}
