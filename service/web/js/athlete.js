// One athlete: profile, each injury's risk with its drivers in words, risk over time and weekly load on one time
// axis with the recorded injuries, exercises with dosing and progression, next week's load guidance, a what-if plan
// and a form to record an injury.
import { api, query } from "./api.js";
import { INJURY_STYLE, legend, loadChart, riskChart, timeDomain } from "./charts.js";
import { band, date, h, INJURY_NAMES, isoDay, km, percent, ratio, replace } from "./dom.js";
import { injuryForm, whatIfForm } from "./forms.js";
import { empty, loading, showFailure } from "./states.js";

const LOAD_WEEKS = 26;

// The day each athlete was last assessed for in this tab, so re-rendering after a change keeps the same day.
const chosenDay = new Map();

export async function showAthlete(main, athleteId) {
  document.title = "Athlete · Runner injury risk";
  loading(main, "Loading the athlete…");
  const [athlete, history, injuries] = await Promise.all([
    api(`/athletes/${athleteId}`),
    api(`/athletes/${athleteId}/risk/history?limit=1000`),
    api(`/athletes/${athleteId}/injuries?limit=1000`),
  ]);
  document.title = `${athlete.external_id} · Runner injury risk`;
  const latest = history.data.length ? history.data[0].as_of : null;
  const day = chosenDay.get(athleteId) || latest;
  const risk = h("section", { class: "panel", "aria-labelledby": "risk-heading" });
  const charts = h("section", { class: "panel", "aria-labelledby": "charts-heading" });
  const advice = h("div", { class: "advice" });
  const rerender = () => showAthlete(main, athleteId);
  replace(
    main,
    h("p", { class: "back" }, h("a", { href: "#/cohort" }, "← Cohort")),
    h("h1", {}, athlete.external_id),
    profile(athlete),
    risk,
    charts,
    advice,
    h(
      "div",
      { class: "columns" },
      whatIfForm(athleteId, day),
      h(
        "section",
        { class: "panel", "aria-labelledby": "injuries-heading" },
        h("h2", { id: "injuries-heading" }, "Injuries"),
        injuryList(injuries.data),
        injuryForm(athleteId, () => {
          rerender();
        }),
      ),
    ),
  );
  if (!day) {
    replace(
      risk,
      h("h2", { id: "risk-heading" }, "Risk"),
      empty(
        "No assessment yet",
        "This athlete has not been assessed. Assess the stored log as of a day to see each injury's risk, the " +
          "drivers, exercises and load guidance.",
      ),
      assessForm(athleteId, isoDay(new Date()), rerender),
    );
  }
  const asOf = day || isoDay(new Date());
  await Promise.all([
    day ? showRisk(risk, athleteId, day, rerender) : null,
    showCharts(charts, athleteId, asOf, history.data, injuries.data),
  ]).then(([answer]) => answer && replace(advice, guidance(answer), exercises(answer)));
}

function profile(athlete) {
  const p = athlete.profile;
  const items = [
    ["Age", p.age == null ? "–" : `${p.age}`],
    ["Sex", { F: "Female", M: "Male" }[p.sex] || "–"],
    ["Years running", p.years_running == null ? "–" : `${p.years_running}`],
    ["Body mass", p.body_mass_kg == null ? "–" : `${p.body_mass_kg} kg`],
    ["Height", p.height_cm == null ? "–" : `${p.height_cm} cm`],
    ["Log complete from", athlete.log_start ? date(athlete.log_start) : "the start"],
  ];
  return h("dl", { class: "profile" }, items.map(([term, value]) => h("div", {}, h("dt", {}, term), h("dd", {}, value))));
}

function assessForm(athleteId, value, done) {
  const input = h("input", { id: "as-of", name: "as_of", type: "date", value, required: true });
  const error = h("p", { id: "as-of-error", class: "field-error", role: "alert" });
  input.setAttribute("aria-describedby", "as-of-error");
  return h(
    "form",
    {
      class: "inline-form",
      novalidate: true,
      onsubmit: (event) => {
        event.preventDefault();
        if (!input.value) {
          error.textContent = "Choose a day.";
          return;
        }
        chosenDay.set(athleteId, input.value);
        done();
      },
    },
    h("label", { for: "as-of" }, "Assess as of"),
    input,
    h("button", { type: "submit" }, "Assess"),
    error,
  );
}

async function showRisk(section, athleteId, day, rerender) {
  replace(section, h("h2", { id: "risk-heading" }, "Risk"), h("p", { class: "loading", role: "status" }, "Scoring…"));
  let answer;
  try {
    answer = await api(`/athletes/${athleteId}/risk${query({ as_of: day })}`);
  } catch (error) {
    showFailure(section, error, rerender);
    return null;
  }
  replace(
    section,
    h("h2", { id: "risk-heading" }, `Risk of a new injury in the next ${answer.horizon_days} days`),
    h(
      "p",
      { class: "meta" },
      `As of ${date(answer.as_of)} · model ${answer.model.name} v${answer.model.version}`,
      answer.see_clinician ? " · currently injured: see a clinician before running hard" : "",
    ),
    assessForm(athleteId, answer.as_of, rerender),
    h("div", { class: "risk-cards" }, answer.risks.map(riskCard)),
    answer.warnings.length
      ? h("ul", { class: "warnings", "aria-label": "Warnings" }, answer.warnings.map((w) => h("li", {}, w)))
      : null,
  );
  return answer;
}

function riskCard(risk) {
  const scored = risk.status === "scored";
  return h(
    "article",
    { class: `risk-card band-edge-${risk.band || "none"}`, "data-injury": risk.injury },
    h("h3", {}, INJURY_NAMES[risk.injury], " ", band(risk.band)),
    scored
      ? h(
          "p",
          { class: "figures" },
          h("strong", {}, percent(risk.probability)),
          ` chance · ${ratio(risk.relative_risk)} the population's ${percent(risk.base_rate)}`,
        )
      : h("p", { class: "figures" }, "Currently injured: not scored. Follow the return-to-run steps below."),
    scored && risk.drivers.length
      ? h(
          "ul",
          { class: "drivers", "aria-label": `Why, ${risk.name}` },
          risk.drivers.map((driver) =>
            h("li", { class: `driver-${driver.direction}` }, h("span", { class: "visually-hidden" }, `${driver.direction}: `), driver.sentence),
          ),
        )
      : null,
  );
}

async function showCharts(section, athleteId, asOf, history, injuries) {
  replace(section, h("h2", { id: "charts-heading" }, "Over time"), h("p", { class: "loading", role: "status" }, "Loading the charts…"));
  let load;
  try {
    load = await api(`/athletes/${athleteId}/load${query({ as_of: asOf, weeks: LOAD_WEEKS })}`);
  } catch (error) {
    showFailure(section, error, () => showCharts(section, athleteId, asOf, history, injuries));
    return;
  }
  // One point per assessed day: the newest assessment of that day (history comes newest first).
  const byDay = new Map();
  for (const assessment of history) if (!byDay.has(assessment.as_of)) byDay.set(assessment.as_of, assessment);
  const points = [...byDay.values()].sort((a, b) => (a.as_of < b.as_of ? -1 : 1));
  const domain = timeDomain(load.weeks, points);
  const injuryKey = { label: "recorded injury", shape: "injury" };
  replace(
    section,
    h("h2", { id: "charts-heading" }, "Over time"),
    h("h3", {}, "Relative risk by injury"),
    points.length
      ? [
          riskChart(points, injuries, domain),
          legend([
            ...Object.entries(INJURY_NAMES).map(([kind, name]) => ({ label: name, ...INJURY_STYLE[kind] })),
            injuryKey,
          ]),
        ]
      : empty("No assessment yet", "Risk over time appears once the athlete has been assessed."),
    h("h3", {}, "Weekly load"),
    load.weeks.some((w) => w.km)
      ? [
          loadChart(load, injuries, domain),
          legend([
            { label: "km per week", shape: "bar" },
            { label: "acute:chronic ratio (right axis; 1 = usual)", shape: "ratio" },
            { label: `long-run spike (>${Math.round(load.spike_threshold_pct * 100)}% over 30 days)`, shape: "spike" },
            injuryKey,
          ]),
        ]
      : empty("No runs logged", `No run is stored in the ${LOAD_WEEKS} weeks to ${date(asOf)}.`),
  );
}

function injuryList(injuries) {
  if (!injuries.length) return h("p", { class: "muted" }, "No injury recorded.");
  return h(
    "ul",
    { class: "injury-list" },
    [...injuries]
      .reverse()
      .map((injury) =>
        h(
          "li",
          {},
          h("strong", {}, INJURY_NAMES[injury.kind]),
          injury.side ? ` (${injury.side})` : "",
          `: ${date(injury.onset)} – ${injury.resolved ? date(injury.resolved) : "ongoing"}`,
          injury.notes ? h("span", { class: "muted" }, ` · ${injury.notes}`) : null,
        ),
      ),
  );
}

function guidance(answer) {
  const section = h("section", { class: "panel", "aria-labelledby": "guidance-heading" });
  section.append(h("h2", { id: "guidance-heading" }, "Next week's running"));
  for (const plan of answer.return_to_run) {
    section.append(
      h("h3", {}, `Return to run: ${INJURY_NAMES[plan.injury]}`),
      h("p", {}, plan.rule),
      h("ol", {}, plan.steps.map((step) => h("li", {}, step))),
    );
  }
  const g = answer.load_guidance;
  if (g) {
    const range =
      g.km_low === null
        ? "No checked week keeps every risk below the target."
        : `${km(g.km_low)} to ${km(g.km_high)} over the next ${g.days} days, no single run over ${km(g.longest_run_cap_km)}.`;
    section.append(
      h("p", { class: "guidance-range" }, h("strong", {}, range)),
      h(
        "p",
        { class: "muted" },
        `Usual week ${km(g.chronic_weekly_km)}, longest recent run ${km(g.longest_run_recent_km)}; ` +
          `${g.plans_checked} candidate weeks scored against a relative risk of ${g.target_relative_risk}.`,
      ),
      h("ul", {}, g.reasoning.map((line) => h("li", {}, line))),
    );
  }
  return section;
}

function dose(item) {
  const amount = item.reps ? `${item.sets} × ${item.reps} reps` : `${item.sets} × ${item.hold_seconds} s hold`;
  return `${amount}, ${item.sessions_per_week} sessions a week, ${item.load}${item.tempo ? `, tempo ${item.tempo}` : ""}`;
}

function exercises(answer) {
  const section = h("section", { class: "panel", "aria-labelledby": "exercises-heading" });
  section.append(h("h2", { id: "exercises-heading" }, "Recommended exercises"));
  if (!answer.recommendations.length) {
    section.append(h("p", { class: "muted" }, "No risk is above the population's: no extra exercise is needed now."));
    return section;
  }
  for (const item of answer.recommendations) {
    section.append(
      h(
        "article",
        { class: "exercise" },
        h("h3", {}, item.name, h("span", { class: "muted" }, ` · ${INJURY_NAMES[item.injury]}${item.role === "rehab" ? " (rehab)" : ""}`)),
        h("p", {}, h("strong", {}, item.starter ? "Start: " : "Dose: "), dose(item)),
        h("p", { class: "muted" }, item.why, ` Evidence: ${item.evidence}.`),
        item.progression.length
          ? h(
              "ol",
              { class: "progression", "aria-label": `Progression, ${item.name}` },
              item.progression.map((step) =>
                h(
                  "li",
                  {},
                  `Week ${step.first_week}${step.last_week === null ? " on" : step.last_week > step.first_week ? `–${step.last_week}` : ""}: `,
                  dose(step),
                ),
              ),
            )
          : null,
      ),
    );
  }
  const plan = answer.strength_plan;
  if (plan) {
    section.append(
      h(
        "p",
        { class: "muted" },
        `${Math.round(plan.weekly_minutes)} of ${Math.round(plan.budget_minutes)} weekly minutes ` +
          `(${plan.budget_sessions_per_week} sessions).`,
      ),
    );
    if (plan.excluded.length) {
      section.append(
        h(
          "details",
          {},
          h("summary", {}, `${plan.excluded.length} exercise(s) left out, and why`),
          h("ul", {}, plan.excluded.map((e) => h("li", {}, `${e.exercise_id} (${INJURY_NAMES[e.injury]}): ${e.reason}`))),
        ),
      );
    }
  }
  return section;
}
