// Small helpers to build the page from data without innerHTML, so nothing the API returns is ever run as markup.

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "class") element.className = value;
    else element.setAttribute(name, value === true ? "" : value);
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

export const INJURY_NAMES = {
  pfps: "Runner's knee",
  mtss: "Shin splints",
  hamstring: "Hamstring strain",
  achilles: "Achilles tendinopathy",
};

export const BAND_NAMES = { low: "Low", moderate: "Moderate", high: "High", very_high: "Very high" };

export function band(value) {
  if (!value) return h("span", { class: "band band-none" }, "Not scored");
  return h("span", { class: `band band-${value}` }, BAND_NAMES[value] || value);
}

export function percent(probability) {
  if (probability === null || probability === undefined) return "–";
  const value = probability * 100;
  return `${value < 1 ? value.toFixed(2) : value.toFixed(1)}%`;
}

export function ratio(value) {
  return value === null || value === undefined ? "–" : `${value.toFixed(2)}×`;
}

export function km(value) {
  return value === null || value === undefined ? "–" : `${value.toFixed(1)} km`;
}

export function date(iso) {
  if (!iso) return "–";
  const [y, m, d] = iso.slice(0, 10).split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString("en-GB", {
    day: "numeric",
    month: "short",
    year: "numeric",
    timeZone: "UTC",
  });
}

export function isoDay(day) {
  return day.toISOString().slice(0, 10);
}

export function addDays(iso, days) {
  const day = new Date(`${iso}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + days);
  return isoDay(day);
}
