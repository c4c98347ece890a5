// Two inline SVG charts on one time axis: relative risk per injury from the stored assessments, and weekly km with
// the acute:chronic ratio and long-run spikes. Recorded injuries are shaded on both, so cause and effect line up.
import { date, INJURY_NAMES } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 760;
const HEIGHT = 250;
const MARGIN = { top: 18, right: 52, bottom: 30, left: 48 };
const DAY_MS = 86400000;
// Okabe-Ito colours, told apart with colour-vision deficiencies; each line also has its own dash pattern.
export const INJURY_STYLE = {
  pfps: { colour: "#0072B2", dash: "" },
  mtss: { colour: "#D55E00", dash: "6 3" },
  hamstring: { colour: "#009E73", dash: "2 3" },
  achilles: { colour: "#CC79A7", dash: "10 3 2 3" },
};

function s(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined) element.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

function ms(iso) {
  return Date.parse(`${iso.slice(0, 10)}T00:00:00Z`);
}

/** The days both charts show: every week of load and every assessment, ending on the later of the two. */
export function timeDomain(weeks, history) {
  const days = [...weeks.map((w) => ms(w.week_end)), ...history.map((a) => ms(a.as_of))];
  const starts = [...weeks.map((w) => ms(w.week_end) - 7 * DAY_MS), ...history.map((a) => ms(a.as_of) - DAY_MS)];
  return [Math.min(...starts), Math.max(...days)];
}

function frame(id, title, description) {
  const svg = s(
    "svg",
    {
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      role: "img",
      "aria-labelledby": `${id}-title ${id}-desc`,
      class: "chart",
      id,
      preserveAspectRatio: "xMidYMid meet",
    },
    s("title", { id: `${id}-title` }, title),
    s("desc", { id: `${id}-desc` }, description),
  );
  return svg;
}

function xScale([start, end]) {
  const span = Math.max(end - start, DAY_MS);
  return (iso) => MARGIN.left + ((ms(iso) - start) / span) * (WIDTH - MARGIN.left - MARGIN.right);
}

function timeAxis(domain, x) {
  const [start, end] = domain;
  const group = s("g", { class: "axis axis-x" });
  const bottom = HEIGHT - MARGIN.bottom;
  group.append(s("line", { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: bottom, y2: bottom }));
  const first = new Date(start);
  const months = [];
  for (let m = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 1)); m.getTime() <= end; ) {
    months.push(m.toISOString().slice(0, 10));
    m = new Date(Date.UTC(m.getUTCFullYear(), m.getUTCMonth() + 1, 1));
  }
  const step = Math.ceil(months.length / 8) || 1;
  months
    .filter((_, i) => i % step === 0)
    .forEach((iso) => {
      const at = x(iso);
      const label = new Date(ms(iso)).toLocaleDateString("en-GB", { month: "short", year: "numeric", timeZone: "UTC" });
      group.append(
        s("line", { x1: at, x2: at, y1: bottom, y2: bottom + 4 }),
        s("text", { x: at, y: bottom + 17, "text-anchor": "middle" }, label),
      );
    });
  return group;
}

function valueAxis(max, y, side, label, ticks) {
  const group = s("g", { class: `axis axis-${side}` });
  const at = side === "left" ? MARGIN.left : WIDTH - MARGIN.right;
  group.append(s("line", { x1: at, x2: at, y1: MARGIN.top, y2: HEIGHT - MARGIN.bottom }));
  for (const value of ticks) {
    const offset = side === "left" ? -6 : 6;
    group.append(
      s("text", { x: at + offset, y: y(value) + 4, "text-anchor": side === "left" ? "end" : "start" }, value),
    );
  }
  group.append(
    s(
      "text",
      {
        class: "axis-label",
        transform: `translate(${side === "left" ? 12 : WIDTH - 8}, ${HEIGHT / 2}) rotate(-90)`,
        "text-anchor": "middle",
      },
      label,
    ),
  );
  return group;
}

function niceTicks(max, count = 4) {
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((candidate) => candidate >= raw);
  const ticks = [];
  for (let value = 0; value <= max + 1e-9; value += step) ticks.push(Number(value.toFixed(2)));
  return ticks;
}

function injurySpans(injuries, domain, x) {
  const [start, end] = domain;
  const group = s("g", { class: "injuries" });
  for (const injury of injuries) {
    const from = Math.max(ms(injury.onset), start);
    const to = Math.min(injury.resolved ? ms(injury.resolved) : end, end);
    if (to < start || from > end) continue;
    const x0 = x(new Date(from).toISOString());
    const x1 = Math.max(x(new Date(to).toISOString()), x0 + 3);
    const ongoing = injury.resolved ? `resolved ${date(injury.resolved)}` : "ongoing";
    group.append(
      s(
        "rect",
        { class: "injury-span", x: x0, y: MARGIN.top, width: x1 - x0, height: HEIGHT - MARGIN.top - MARGIN.bottom },
        s("title", {}, `${INJURY_NAMES[injury.kind]}: onset ${date(injury.onset)}, ${ongoing}`),
      ),
      s("text", { class: "injury-label", x: x0 + 3, y: MARGIN.top + 11 }, INJURY_NAMES[injury.kind]),
    );
  }
  return group;
}

/** Relative risk per injury over the assessments' days, with the band limits (1, 2, 4) drawn across. */
export function riskChart(history, injuries, domain) {
  const x = xScale(domain);
  const values = history.flatMap((a) => a.risks.map((r) => r.relative_risk).filter((v) => v !== null));
  const max = Math.max(4.5, ...values.map((v) => v * 1.1));
  const y = (value) => HEIGHT - MARGIN.bottom - (value / max) * (HEIGHT - MARGIN.top - MARGIN.bottom);
  const svg = frame(
    "risk-chart",
    "Relative risk over time, per injury",
    `Relative risk of each injury on ${history.length} assessed days from ${date(history[0].as_of)} to ` +
      `${date(history[history.length - 1].as_of)}; 1 is the population's risk, band limits at 1, 2 and 4.`,
  );
  svg.append(injurySpans(injuries, domain, x));
  const limits = s("g", { class: "band-limits" });
  for (const [limit, name] of [
    [1, "moderate"],
    [2, "high"],
    [4, "very high"],
  ]) {
    limits.append(
      s("line", { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(limit), y2: y(limit) }),
      s("text", { x: WIDTH - MARGIN.right + 4, y: y(limit) + 4 }, name),
    );
  }
  svg.append(limits, timeAxis(domain, x), valueAxis(max, y, "left", "relative risk", niceTicks(max)));
  for (const kind of Object.keys(INJURY_NAMES)) {
    const points = history
      .map((a) => [a.as_of, a.risks.find((r) => r.injury === kind)?.relative_risk])
      .filter(([, value]) => value !== null && value !== undefined);
    const style = INJURY_STYLE[kind];
    const series = s("g", { class: "series", "data-injury": kind, "data-points": points.length });
    if (points.length > 1) {
      series.append(
        s("polyline", {
          points: points.map(([day, value]) => `${x(day).toFixed(1)},${y(value).toFixed(1)}`).join(" "),
          fill: "none",
          stroke: style.colour,
          "stroke-width": 2,
          "stroke-dasharray": style.dash || null,
        }),
      );
    }
    for (const [day, value] of points) {
      series.append(
        s(
          "circle",
          { cx: x(day), cy: y(value), r: points.length > 60 ? 1.5 : 3, fill: style.colour },
          s("title", {}, `${INJURY_NAMES[kind]}, ${date(day)}: ${value.toFixed(2)}× the population's risk`),
        ),
      );
    }
    svg.append(series);
  }
  return svg;
}

/** Weekly km as bars, the acute:chronic ratio (7-day km over the 28-day weekly mean) as a line, spikes marked. */
export function loadChart(load, injuries, domain) {
  const x = xScale(domain);
  const weeks = load.weeks;
  const maxKm = Math.max(10, ...weeks.map((w) => (w.km ?? 0) * 1.15));
  const ratios = weeks.map((w) => w.acwr_rolling).filter((v) => v !== null);
  const maxRatio = Math.max(2, ...ratios.map((v) => v * 1.1));
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const yKm = (value) => HEIGHT - MARGIN.bottom - (value / maxKm) * plotHeight;
  const yRatio = (value) => HEIGHT - MARGIN.bottom - (value / maxRatio) * plotHeight;
  const spikes = weeks.filter((w) => w.spike);
  const svg = frame(
    "load-chart",
    "Weekly km, acute:chronic ratio and long-run spikes",
    `${weeks.length} weeks to ${date(load.as_of)}: bars are km per week, the line the acute:chronic ratio (right ` +
      `axis), triangles the ${spikes.length} week(s) whose longest run was more than ` +
      `${Math.round(load.spike_threshold_pct * 100)}% longer than any of the 30 days before.`,
  );
  svg.append(injurySpans(injuries, domain, x));
  const bars = s("g", { class: "bars" });
  for (const week of weeks) {
    if (week.km === null) continue;
    const right = x(week.week_end);
    const left = x(new Date(ms(week.week_end) - 7 * DAY_MS).toISOString());
    bars.append(
      s(
        "rect",
        {
          class: "bar",
          x: left + 1,
          y: yKm(week.km),
          width: Math.max(right - left - 2, 1),
          height: HEIGHT - MARGIN.bottom - yKm(week.km),
        },
        s(
          "title",
          {},
          `Week to ${date(week.week_end)}: ${week.km.toFixed(1)} km, longest run ${(week.longest_run_km ?? 0).toFixed(1)} km` +
            (week.acwr_rolling === null ? "" : `, acute:chronic ${week.acwr_rolling.toFixed(2)}`),
        ),
      ),
    );
  }
  const reference = s(
    "g",
    { class: "band-limits" },
    s("line", { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: yRatio(1), y2: yRatio(1) }),
  );
  const known = weeks.filter((w) => w.acwr_rolling !== null);
  const line = s("polyline", {
    class: "ratio-line",
    points: known.map((w) => `${(x(w.week_end) - 3).toFixed(1)},${yRatio(w.acwr_rolling).toFixed(1)}`).join(" "),
    fill: "none",
  });
  const markers = s("g", { class: "spikes", "data-spikes": spikes.length });
  for (const week of spikes) {
    const at = x(week.week_end) - 3;
    const top = yKm(week.km ?? 0) - 6;
    markers.append(
      s(
        "path",
        { class: "spike", d: `M${at - 6},${top - 10} L${at + 6},${top - 10} L${at},${top} Z` },
        s(
          "title",
          {},
          `Long-run spike, week to ${date(week.week_end)}: longest run ${(week.longest_run_km ?? 0).toFixed(1)} km, ` +
            `${Math.round(week.longest_run_spike_pct * 100)}% longer than the 30 days before`,
        ),
      ),
    );
  }
  svg.append(
    bars,
    reference,
    line,
    markers,
    timeAxis(domain, x),
    valueAxis(maxKm, yKm, "left", "km per week", niceTicks(maxKm)),
    valueAxis(maxRatio, yRatio, "right", "acute:chronic", niceTicks(maxRatio, 4)),
  );
  return svg;
}

/** A legend as HTML, so its text wraps and reads well at any width. */
export function legend(items) {
  const list = document.createElement("ul");
  list.className = "legend";
  for (const { label, colour, dash, shape } of items) {
    const item = document.createElement("li");
    const swatch = s("svg", { width: 28, height: 12, "aria-hidden": "true" });
    if (shape === "bar") swatch.append(s("rect", { x: 4, y: 1, width: 20, height: 10, class: "bar" }));
    else if (shape === "spike") swatch.append(s("path", { class: "spike", d: "M8,1 L20,1 L14,11 Z" }));
    else if (shape === "injury") swatch.append(s("rect", { x: 2, y: 0, width: 24, height: 12, class: "injury-span" }));
    else
      swatch.append(
        s("line", {
          x1: 2,
          x2: 26,
          y1: 6,
          y2: 6,
          stroke: colour,
          "stroke-width": 2.5,
          "stroke-dasharray": dash || null,
          class: shape === "ratio" ? "ratio-line" : null,
        }),
      );
    item.append(swatch, document.createTextNode(` ${label}`));
    list.append(item);
  }
  return list;
}
