// The sandbox's QA dashboard. Plain JavaScript, no build step, no library: every view
// calls only the public admin API under /__sandbox, so whatever the page shows a
// script can do too. The tenant is in the address (?tenant=NAME, default `default`).
"use strict";

const ADMIN = "/__sandbox";
const TOKEN_KEY = "sandbox-admin-token";
const WAIT_SECS = 10; // how long one journal read waits for a new entry
const RETRY_MS = 1000; // after a failed read, before the next
const JOURNAL_KEPT = 1000; // entries the page keeps, like the server's journal_cap

const $ = (id) => document.getElementById(id);
const page = {
  tenant: "default",
  generation: 0, // bumped on tenant change: answers for an older tenant are dropped
  lastId: 0,
  entries: [], // newest first
  selected: null,
  clock: null,
  errors: null,
  pollTimer: null,
  locked: false,
};

class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

// ---- the admin API

async function api(method, path, body, headers = {}) {
  const init = { method, headers: { "X-Sandbox-Tenant": page.tenant, ...headers } };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    init.headers["Content-Type"] ??= "application/json";
  }
  const res = await fetch(ADMIN + path, init);
  const type = res.headers.get("content-type") || "";
  const data = type.includes("json") ? await res.json() : await res.text();
  if (res.status === 401) lock();
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

/// Journal entries newer than `lastId`, newest first; `restarted` when the journal was
/// cleared or the tenant reset (its ids start again). The one place that asks for new
/// entries: a long poll, answered as soon as one is recorded (`since` + `wait`); when
/// the wait passes with nothing new, one short read tells whether the ids started again.
async function fetchNewer(lastId) {
  try {
    const answer = await api("GET", `/requests?since=${lastId}&wait=${WAIT_SECS}&limit=200`);
    return { entries: answer.requests, restarted: false };
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 408) throw err;
  }
  const answer = await api("GET", "/requests?limit=200");
  const newest = answer.requests.length ? answer.requests[0].id : 0;
  const restarted = lastId > 0 && newest < lastId;
  return { entries: restarted ? answer.requests : [], restarted };
}

function say(text) {
  $("status").textContent = text;
}

function failed(err) {
  if (err instanceof ApiError && err.status === 401) return;
  say(err.message || String(err));
}

// ---- admin token

function lock() {
  page.locked = true;
  clearTimeout(page.pollTimer);
  $("main").hidden = true;
  $("tenant-form").hidden = true;
  $("clock-badge").textContent = "";
  $("token-form").hidden = false;
  $("token-input").focus();
}

async function unlock(event) {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $("token-input").value);
  $("token-error").textContent = "";
  try {
    await api("GET", "/tenants");
  } catch (err) {
    $("token-error").textContent = err.status === 401 ? "That token is not accepted." : err.message;
    return;
  }
  $("token-input").value = "";
  start();
}

// ---- tenants

function tenantFromAddress() {
  const name = new URLSearchParams(location.search).get("tenant");
  return name && name.trim() ? name.trim() : "default";
}

async function loadTenants() {
  const answer = await api("GET", "/tenants");
  const list = $("tenant-list");
  list.replaceChildren(...answer.tenants.map((t) => el("option", { value: t })));
}

function switchTenant(event) {
  event.preventDefault();
  const name = $("tenant-input").value.trim();
  const url = new URL(location.href);
  url.searchParams.set("tenant", name);
  history.pushState(null, "", url);
  openTenant(name);
}

function openTenant(name) {
  page.tenant = name;
  page.generation += 1;
  page.lastId = 0;
  page.entries = [];
  page.selected = null;
  $("tenant-input").value = name;
  document.title = `Sandbox dashboard · ${name}`;
  renderJournal();
  $("entry").hidden = true;
  clearTimeout(page.pollTimer);
  poll();
  refreshClock().catch(failed);
  showView(currentView());
}

// ---- views

const VIEWS = {
  journal: () => renderJournal(),
  coverage: () => loadCoverage(),
  rules: () => loadRules(),
  clock: () => refreshClock(),
  state: () => loadState(),
  scenario: () => loadScenario(),
};

function currentView() {
  const name = location.hash.slice(1);
  return name in VIEWS ? name : "journal";
}

function showView(name) {
  for (const tab of document.querySelectorAll("[role=tab]")) {
    const on = tab.dataset.view === name;
    tab.setAttribute("aria-selected", String(on));
    tab.tabIndex = on ? 0 : -1;
    $(tab.dataset.view).hidden = !on;
  }
  if (location.hash.slice(1) !== name) history.replaceState(null, "", `#${name}`);
  Promise.resolve(VIEWS[name]()).catch(failed);
}

/// Arrow keys move between tabs, as in any tab list.
function tabKeys(event) {
  const tabs = [...document.querySelectorAll("[role=tab]")];
  const at = tabs.indexOf(document.activeElement);
  if (at < 0 || !["ArrowLeft", "ArrowRight"].includes(event.key)) return;
  const next = tabs[(at + (event.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
  next.focus();
  showView(next.dataset.view);
}

// ---- live journal

async function poll() {
  const generation = page.generation;
  try {
    const { entries, restarted } = await fetchNewer(page.lastId);
    if (generation !== page.generation || page.locked) return;
    if (restarted) page.entries = [];
    if (entries.length || restarted) {
      page.entries = entries.concat(page.entries).slice(0, JOURNAL_KEPT);
      page.lastId = page.entries.length ? page.entries[0].id : 0;
      renderJournal();
    }
  } catch (err) {
    failed(err);
    if (generation === page.generation && !page.locked) {
      page.pollTimer = setTimeout(poll, RETRY_MS);
    }
    return;
  }
  if (generation === page.generation && !page.locked) {
    page.pollTimer = setTimeout(poll, 0);
  }
}

function journalFilter() {
  const provider = $("f-provider").value;
  const status = $("f-status").value.trim().toLowerCase();
  const code = $("f-code").value.trim();
  const path = $("f-path").value.trim().toLowerCase();
  return (e) =>
    (!provider || e.provider === provider) &&
    (!status || statusMatches(String(e.status), status)) &&
    (!code || (e.code ?? "") === code) &&
    (!path || e.path.toLowerCase().includes(path));
}

/// `404` exactly, or `4xx` for a class.
function statusMatches(status, wanted) {
  return wanted.length === 3 && [...wanted].every((c, i) => c === "x" || c === status[i]);
}

function renderJournal() {
  const shown = page.entries.filter(journalFilter());
  $("journal-rows").replaceChildren(...shown.map(journalRow));
  $("journal-empty").hidden = shown.length > 0;
}

function journalRow(e) {
  const row = el("tr", { tabindex: "0", "data-id": e.id, "aria-selected": String(e.id === page.selected) });
  const cells = [e.id, e.time.slice(11, 23), e.provider, e.method, e.path + (e.query ? `?${e.query}` : ""),
    e.status, e.code ?? "", e.forced_by ?? "", e.latency_ms.toFixed(1)];
  for (const [i, text] of cells.entries()) {
    row.append(el("td", { class: i === 4 ? "wrap" : i === 5 ? `s${String(e.status)[0]}` : "" }, String(text)));
  }
  row.addEventListener("click", () => openEntry(e));
  row.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); openEntry(e); }
  });
  return row;
}

function openEntry(e) {
  page.selected = e.id;
  for (const row of $("journal-rows").children) {
    row.setAttribute("aria-selected", String(Number(row.dataset.id) === e.id));
  }
  $("entry").hidden = false;
  $("entry-title").textContent = `#${e.id} ${e.method} ${e.path} → ${e.status}` +
    (e.code ? ` (code ${e.code})` : "");
  $("entry-curl").textContent = curlOf(e);
  $("entry-req-headers").textContent = pretty(e.request_headers);
  $("entry-req-body").textContent = pretty(e.request_body);
  $("entry-res-body").textContent = pretty(e.response_body);
}

function pretty(value) {
  if (value === null || value === undefined) return "(empty)";
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

function shellQuote(text) {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/// The request as curl sends it again: method, URL with query, every recorded header
/// but those curl sets itself, the tenant header, the body.
function curlOf(e) {
  const url = `${location.origin}${e.path}${e.query ? `?${e.query}` : ""}`;
  const parts = ["curl", "-X", e.method, shellQuote(url)];
  const headers = Object.entries(e.request_headers || {});
  const skip = new Set(["host", "content-length", "connection"]);
  for (const [name, value] of headers) {
    if (!skip.has(name.toLowerCase())) parts.push("-H", shellQuote(`${name}: ${value}`));
  }
  if (!headers.some(([name]) => name.toLowerCase() === "x-sandbox-tenant")) {
    parts.push("-H", shellQuote(`X-Sandbox-Tenant: ${page.tenant}`));
  }
  const body = e.request_body;
  if (body !== null && body !== undefined) {
    parts.push("--data-binary", shellQuote(typeof body === "string" ? body : JSON.stringify(body)));
  }
  return parts.join(" ");
}

async function copyCurl() {
  const text = $("entry-curl").textContent;
  try {
    await navigator.clipboard.writeText(text);
    say("curl command copied");
  } catch {
    getSelection().selectAllChildren($("entry-curl"));
    say("select and copy the highlighted command (the clipboard is not available here)");
  }
}

async function clearJournal() {
  await api("DELETE", "/requests");
  page.entries = [];
  renderJournal();
}

// ---- coverage matrix

async function catalog() {
  page.errors ??= (await api("GET", "/errors")).providers;
  return page.errors;
}

async function loadCoverage() {
  const [errors, coverage] = await Promise.all([catalog(), api("GET", "/coverage")]);
  const blocks = Object.entries(errors).map(([name, p]) =>
    coverageTable(name, p, coverage.providers[name]));
  $("coverage-tables").replaceChildren(...blocks);
}

function coverageTable(name, provider, covered) {
  const counts = new Map();
  for (const item of [...covered.returned, ...covered.never_returned]) {
    counts.set(`${item.scope}|${item.code}`, item.count);
  }
  const rows = provider.codes.map((c) => coverageRow(name, c, counts.get(`${c.scope}|${c.code}`) ?? 0));
  const table = el("table", { class: "list", "aria-label": `${name} codes` },
    el("thead", {}, el("tr", {}, ...["code", "key", "HTTP", "scope", "message", "seen",
      "how to reach it", ""].map((h) => el("th", {}, h)))),
    el("tbody", {}, ...rows));
  return el("div", { class: "coverage-provider", id: `coverage-${name}` },
    el("h2", {}, `${provider.title} (${name}): ${covered.covered} returned`), table);
}

function coverageRow(provider, c, count) {
  const arm = el("td");
  if (c.triggers.rule) {
    const button = el("button", { type: "button", class: "quiet", "data-arm": `${provider}:${c.scope}:${c.code}`,
      "aria-label": `Arm ${provider} code ${c.code} (${c.key})` }, "Arm");
    button.addEventListener("click", () => armCode(provider, c).catch(failed));
    arm.append(button);
  }
  return el("tr", {}, el("td", { class: "mono" }, c.code), el("td", {}, c.key), el("td", {}, String(c.http_status)),
    el("td", {}, c.scope || "any"), el("td", {}, c.message), el("td", { class: count ? "hit" : "miss" }, String(count)),
    el("td", {}, c.triggers.natural || ""), arm);
}

/// One click: a runtime rule answering the code on its endpoint, `times` times.
async function armCode(provider, c) {
  const times = Math.max(1, Number($("arm-times").value) || 1);
  const name = `arm-${provider}-${c.scope || "any"}-${c.code}`;
  await api("POST", "/rules", { name, ...c.triggers.rule, times });
  say(`armed: the next ${times} matching ${provider} request(s) answer code ${c.code} (rule ${name})`);
}

// ---- rules

async function loadRules() {
  const [answer, errors] = await Promise.all([api("GET", "/rules"), catalog()]);
  $("rules-rows").replaceChildren(...answer.rules.map(ruleRow));
  const select = $("rule-provider");
  if (!select.options.length) select.append(...Object.keys(errors).map((p) => el("option", { value: p }, p)));
}

function ruleRow(live) {
  const r = live.rule;
  const del = el("td");
  if (live.source === "runtime" && r.name) {
    const button = el("button", { type: "button", class: "quiet", "aria-label": `Delete rule ${r.name}` }, "Delete");
    button.addEventListener("click", () => deleteRule(r.name).catch(failed));
    del.append(button);
  }
  return el("tr", { "data-rule": r.name ?? "" }, el("td", {}, r.name ?? "(unnamed)"), el("td", {}, live.source),
    el("td", { class: "mono wrap" }, JSON.stringify(r.when)), el("td", { class: "mono wrap" }, JSON.stringify(r.then)),
    el("td", {}, r.times ?? "∞"), el("td", {}, String(live.fired)), el("td", {}, live.remaining ?? "∞"), del);
}

async function deleteRule(name) {
  await api("DELETE", `/rules/${encodeURIComponent(name)}`);
  await loadRules();
}

/// The form as a rule of the scenario's shape; empty fields are left out.
function ruleFromForm(form) {
  const f = Object.fromEntries(new FormData(form));
  const number = (v) => (v === undefined || v === "" ? undefined : Number(v));
  const when = { provider: f.provider, endpoint: f.endpoint || undefined, method: f.method || undefined };
  const then = { code: f.code || undefined, status: number(f.status), delay_ms: number(f.delay_ms),
    drop: f.drop === "on" || undefined };
  return { name: f.name, when, then, times: number(f.times), probability: number(f.probability) };
}

async function addRule(event) {
  event.preventDefault();
  $("rule-error").textContent = "";
  try {
    await api("POST", "/rules", ruleFromForm(event.target));
    event.target.reset();
    await loadRules();
  } catch (err) {
    $("rule-error").textContent = err.message;
  }
}

// ---- clock

async function refreshClock() {
  showClock(await api("GET", "/clock"));
}

function showClock(clock) {
  page.clock = clock;
  $("clock-now").textContent = clock.now;
  $("clock-mode").textContent = clock.frozen ? "frozen" : "running";
  $("clock-freeze").textContent = clock.frozen ? "Unfreeze" : "Freeze";
  $("clock-badge").textContent = `${page.tenant} · ${clock.now.slice(0, 19).replace("T", " ")} UTC` +
    (clock.frozen ? " (frozen)" : "");
}

async function clockCall(method, path, body) {
  $("clock-error").textContent = "";
  try {
    showClock(await api(method, path, body));
  } catch (err) {
    $("clock-error").textContent = err.message;
  }
}

/// Freezes at (or unfreezes from) the instant the server has now, not the one shown.
async function toggleFreeze() {
  const clock = await api("GET", "/clock");
  await clockCall("PUT", "/clock", { now: clock.now, frozen: !clock.frozen });
}

// ---- state tree

async function loadState() {
  const answer = await api("GET", "/state");
  $("state-now").textContent = answer.now;
  const nodes = Object.entries(answer.providers).map(([name, view]) => treeNode(name, view, 0));
  $("state-tree").replaceChildren(el("ul", {}, ...nodes));
}

const LABEL_KEYS = ["sessid", "id", "guid", "uuid", "login", "inn", "token", "accessToken", "name", "code", "partner_code"];

/// A value as a collapsible node: objects and lists open to three levels; an entry with
/// `valid: false` or `active: false` is marked expired.
function treeNode(key, value, depth) {
  if (value === null || typeof value !== "object") {
    return el("li", {}, el("span", { class: "k" }, key), ": ", el("span", { class: "v" }, JSON.stringify(value)));
  }
  const items = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  const label = Array.isArray(value) ? `${key} [${items.length}]` : `${key}${labelOf(value)}`;
  const expired = !Array.isArray(value) && (value.valid === false || value.active === false);
  const details = el("details", { class: expired ? "expired" : "" },
    el("summary", {}, label), el("ul", {}, ...items.map(([k, v]) => treeNode(String(k), v, depth + 1))));
  details.open = depth < 3;
  return el("li", {}, details);
}

function labelOf(object) {
  const key = LABEL_KEYS.find((k) => typeof object[k] === "string" || typeof object[k] === "number");
  return key ? ` · ${key} ${object[key]}` : "";
}

// ---- scenario

async function loadScenario() {
  $("scenario-text").value = await api("GET", "/scenario", undefined, { Accept: "application/yaml" });
  showProblems([]);
  $("scenario-result").textContent = "Showing the active scenario.";
}

async function sendScenario(dryRun) {
  const yaml = $("scenario-text").value;
  showProblems([]);
  try {
    await api("PUT", `/scenario${dryRun ? "?dry_run=true" : ""}`, yaml, { "Content-Type": "application/yaml" });
    $("scenario-result").textContent = dryRun ? "Valid: nothing was loaded." : "Loaded for every tenant.";
    if (!dryRun) { page.errors = null; openTenant(page.tenant); }
  } catch (err) {
    $("scenario-result").textContent = err.message;
    showProblems((err.body && err.body.problems) || []);
  }
}

/// Each problem is `line:column: message`; choosing one puts the cursor there.
function showProblems(problems) {
  const items = problems.map((p) => {
    const item = el("li", { tabindex: "0" }, p);
    const at = /^(\d+):(\d+):/.exec(p);
    if (at) {
      const go = () => goTo(Number(at[1]), Number(at[2]));
      item.addEventListener("click", go);
      item.addEventListener("keydown", (ev) => ev.key === "Enter" && go());
    }
    return item;
  });
  $("scenario-problems").replaceChildren(...items);
}

function goTo(line, column) {
  const area = $("scenario-text");
  const lines = area.value.split("\n");
  let offset = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i].length + 1;
  offset += Math.max(0, column - 1);
  area.focus();
  area.setSelectionRange(offset, offset + 1);
}

async function resetTenant() {
  await api("POST", "/reset", {});
  $("scenario-result").textContent = `Tenant ${page.tenant} reset to the loaded scenario.`;
  openTenant(page.tenant);
}

// ---- wiring

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== "" && v !== undefined) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

async function providersForFilter() {
  const select = $("f-provider");
  if (select.options.length > 1) return;
  const names = Object.keys(await catalog());
  select.append(...names.map((p) => el("option", { value: p }, p)));
}

async function start() {
  page.locked = false;
  try {
    await loadTenants();
  } catch (err) {
    if (err.status !== 401) say(err.message);
    return;
  }
  $("token-form").hidden = true;
  $("tenant-form").hidden = false;
  $("main").hidden = false;
  providersForFilter().catch(failed);
  openTenant(tenantFromAddress());
}

function wire() {
  $("token-form").addEventListener("submit", unlock);
  $("tenant-form").addEventListener("submit", switchTenant);
  $("tenant-input").addEventListener("focus", () => loadTenants().catch(failed));
  for (const tab of document.querySelectorAll("[role=tab]")) {
    tab.addEventListener("click", () => showView(tab.dataset.view));
  }
  document.querySelector(".tabs").addEventListener("keydown", tabKeys);
  $("journal-filters").addEventListener("input", renderJournal);
  $("journal-filters").addEventListener("submit", (e) => e.preventDefault());
  $("journal-clear").addEventListener("click", () => clearJournal().catch(failed));
  $("copy-curl").addEventListener("click", copyCurl);
  $("rule-form").addEventListener("submit", addRule);
  for (const button of document.querySelectorAll("[data-advance]")) {
    button.addEventListener("click", () => clockCall("POST", "/clock/advance", JSON.parse(button.dataset.advance)));
  }
  $("clock-set").addEventListener("submit", (e) => {
    e.preventDefault();
    clockCall("PUT", "/clock", { now: $("clock-instant").value.trim() });
  });
  $("clock-freeze").addEventListener("click", () => toggleFreeze().catch(failed));
  $("state-refresh").addEventListener("click", () => loadState().catch(failed));
  $("scenario-validate").addEventListener("click", () => sendScenario(true));
  $("scenario-load").addEventListener("click", () => sendScenario(false));
  $("scenario-reload").addEventListener("click", () => loadScenario().catch(failed));
  $("tenant-reset").addEventListener("click", () => resetTenant().catch(failed));
  window.addEventListener("popstate", () => openTenant(tenantFromAddress()));
  window.addEventListener("hashchange", () => showView(currentView()));
}

wire();
start();
