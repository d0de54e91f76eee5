// pmpilot's web page: a chat beside the plan, on the /v1 API only.
//
// Rules this file keeps (the page's Content-Security-Policy backs them up):
// - every piece of text from the API or the user goes on screen through textContent or
//   createTextNode, never parsed as markup, so a brief titled <script> shows as text;
// - numbers are the engine's, shown as given (dates, money, chances): nothing is computed
//   here except where to draw a bar;
// - no inline style: geometry is set as SVG attributes, looks come from style.css.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const KEY_STORE = "pmpilot.key";
const THREAD_STORE = "pmpilot.threads";
const DAY_MS = 86400000;
const STEP_WORDS = {
  interpret: "read the message",
  apply: "applied the edits",
  undo: "went back one version",
  regenerate: "re-drafted the plan",
  reassess: "re-ran the engine",
  explain: "looked for an edit",
};

const state = { key: "", plan: null, threadId: null, assessment: null, busy: false };

// --- small DOM helpers (text only) -----------------------------------------------------

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value);
  }
  append(node, children);
  return node;
}

function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value !== null && value !== undefined) node.setAttribute(name, String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

// --- formatting the engine's values ----------------------------------------------------

function money(m) {
  if (!m) return "—";
  const [whole, cents] = String(m.amount).split(".");
  const sign = whole.startsWith("-") ? "-" : "";
  const digits = whole.replace("-", "").replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${m.currency} ${sign}${digits}${cents !== undefined ? "." + cents : ""}`;
}

function chance(p) {
  return p === null || p === undefined ? "—" : `${Math.round(p * 100)} %`;
}

function days(d) {
  return d === null || d === undefined ? "—" : `${Number(d).toFixed(1)} d`;
}

const show = (v) => (v === null || v === undefined || v === "" ? "—" : String(v));

// --- the API -------------------------------------------------------------------------

class ApiError extends Error {}

function headers(json) {
  const h = { Authorization: `Bearer ${state.key}`, Accept: "application/json" };
  if (json) h["Content-Type"] = "application/json";
  return h;
}

async function problem(res) {
  // application/problem+json: `detail` is written for people; fall back to the title.
  let text = `${res.status} ${res.statusText}`;
  try {
    const body = await res.json();
    const fields = (body.errors || []).filter((e) => e.message).map((e) => `${e.field}: ${e.message}`);
    text = body.detail || body.title || text;
    if (fields.length && !body.detail) text += ` (${fields.join("; ")})`;
  } catch (_) {
    // not JSON: keep the status line
  }
  if (res.status === 401) text += " — check the API key";
  return new ApiError(text);
}

async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: headers(body !== undefined),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw await problem(res);
  return res.status === 204 ? null : res.json();
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForJob(res) {
  // A server that drafts with a model answers 202 and a job to poll until it is finished.
  const job = await res.json();
  const url = res.headers.get("Location") || `/v1/jobs/${encodeURIComponent(job.id)}`;
  let current = job;
  for (;;) {
    if (current.status === "succeeded") {
      return api("GET", `/v1/plans/${encodeURIComponent(current.plan_id)}`);
    }
    if (current.status === "failed") {
      throw new ApiError(`Drafting failed: ${show(current.error)}`);
    }
    const step = current.step ? `, ${current.step}` : "";
    progress(`Drafting the plan (${show(current.status)}${step})…`);
    await sleep(3000); // 20 polls a minute: a third of a key's default rate
    const res = await fetch(url, { headers: headers(false) });
    if (res.status === 429) continue; // over the key's rate: wait and ask again
    if (!res.ok) throw await problem(res);
    current = await res.json();
  }
}

// --- status, errors, progress --------------------------------------------------------

function progress(text) {
  $("progress-text").textContent = text || "";
  $("progress").classList.toggle("active", Boolean(text));
}

function showError(err) {
  const box = $("error");
  box.textContent = err ? String(err.message || err) : "";
  box.hidden = !err;
}

function setBusy(busy, text) {
  state.busy = busy;
  document.body.dataset.busy = busy ? "1" : "0";
  $("draft").disabled = busy;
  $("send").disabled = busy || !state.plan;
  progress(busy ? text : "");
}

// --- API key and recent plans ----------------------------------------------------------

function useKey(key) {
  state.key = key.trim();
  if (state.key) sessionStorage.setItem(KEY_STORE, state.key);
  else sessionStorage.removeItem(KEY_STORE);
  $("key-state").textContent = state.key ? "key set for this tab" : "";
  if (state.key) loadPlans();
}

async function loadPlans() {
  if (!state.key) return;
  try {
    const list = await api("GET", "/v1/plans");
    const items = list.items.map((p) => {
      const open = el("button", { type: "button", class: "link", "data-plan": p.id }, p.title);
      open.addEventListener("click", () => openPlan(p.id));
      const when = p.created.slice(0, 16).replace("T", " ");
      return el("li", {}, open, el("span", { class: "muted" }, p.parent ? `${when} · edited` : when));
    });
    $("plans").replaceChildren(...(items.length ? items : [el("li", { class: "muted" }, "No plans yet.")]));
  } catch (err) {
    showError(err);
  }
}

// --- drafting and opening a plan -----------------------------------------------------

async function draft(brief) {
  showError(null);
  setBusy(true, "Drafting the plan…");
  try {
    const res = await fetch("/v1/plans", { method: "POST", headers: headers(true), body: JSON.stringify({ brief }) });
    let plan;
    if (res.status === 202) plan = await waitForJob(res);
    else if (res.ok) plan = await res.json();
    else throw await problem(res);
    showPlan(plan, null);
    loadPlans();
  } catch (err) {
    showError(err);
  } finally {
    setBusy(false);
  }
}

async function openPlan(id) {
  showError(null);
  setBusy(true, "Opening the plan…");
  try {
    const plan = await api("GET", `/v1/plans/${encodeURIComponent(id)}`);
    // The thread this tab used, else the plan's latest one on the server (its edited version).
    let threadId = threads()[plan.id] || null;
    if (!threadId) {
      const listed = await api("GET", `/v1/plans/${encodeURIComponent(plan.id)}/threads`);
      threadId = listed.items.length ? listed.items[listed.items.length - 1].id : null;
    }
    showPlan(plan, threadId);
    if (threadId) await refreshThread();
  } catch (err) {
    showError(err);
  } finally {
    setBusy(false);
  }
}

function threads() {
  try {
    return JSON.parse(sessionStorage.getItem(THREAD_STORE) || "{}");
  } catch (_) {
    return {};
  }
}

function rememberThread(planId, threadId) {
  const all = threads();
  if (threadId) all[planId] = threadId;
  else delete all[planId];
  sessionStorage.setItem(THREAD_STORE, JSON.stringify(all));
}

function showPlan(plan, threadId) {
  state.plan = { id: plan.id, title: plan.title };
  state.threadId = threadId;
  $("transcript").replaceChildren();
  renderPlan(plan.assessment);
}

// --- rendering the plan --------------------------------------------------------------

function renderPlan(a) {
  state.assessment = a;
  const pane = $("plan-pane");
  $("plan-title").textContent = (a.brief && a.brief.title) || state.plan.title;
  renderSummary(a);
  renderForecast(a);
  renderBudget(a);
  renderGantt(a);
  renderRisks(a);
  renderWbs(a);
  renderNotes(a);
  pane.dataset.plan = state.plan.id;
  pane.dataset.renders = String(Number(pane.dataset.renders || "0") + 1);
  $("send").disabled = state.busy;
}

function renderSummary(a) {
  const f = a.forecast;
  const b = a.budget_check;
  const parts = [];
  if (f) {
    parts.push(`P80 finish ${f.p80_finish}`);
    if (a.brief.deadline) parts.push(`deadline ${a.brief.deadline} (${chance(f.p_meet_deadline)} chance)`);
    parts.push(`P80 cost ${money(f.p80_cost)}`);
  } else if (a.schedule) {
    parts.push(`finish ${a.schedule.finish} (no forecast)`);
  } else {
    parts.push(`not scheduled: the WBS has ${a.issues.length} issue(s)`);
  }
  const verdict = b ? el("strong", { class: `verdict ${b.verdict}` }, `budget ${b.verdict.replace("_", " ")}`) : null;
  $("summary").replaceChildren(parts.join(" · "), verdict ? " · " : "", verdict);
}

function facts(target, rows) {
  const items = [];
  for (const [term, value, cls] of rows) {
    items.push(el("dt", {}, term), el("dd", { class: cls || null }, show(value)));
  }
  target.replaceChildren(...items);
}

function renderForecast(a) {
  const f = a.forecast;
  if (!f) {
    facts($("forecast"), [["forecast", "not run"]]);
    return;
  }
  facts($("forecast"), [
    ["P50 finish", f.p50_finish],
    ["P80 finish", f.p80_finish, "key"],
    ["P90 finish", f.p90_finish],
    ["deadline", a.brief.deadline],
    ["chance of meeting it", chance(f.p_meet_deadline), "key"],
    ["P50 cost", money(f.p50_cost)],
    ["P80 cost", money(f.p80_cost), "key"],
    ["chance within budget", chance(f.p_meet_budget), "key"],
    ["simulation", `${f.iterations} runs, seed ${f.seed}`],
  ]);
}

function renderBudget(a) {
  const b = a.budget_check;
  if (!b) {
    facts($("budget"), [["budget", "not checked (no budget or no rates)"]]);
    $("budget-options").replaceChildren();
    return;
  }
  facts($("budget"), [
    ["verdict", b.verdict.replace("_", " "), `verdict ${b.verdict}`],
    ["labour", money(b.labour)],
    ["non-labour", money(b.non_labour)],
    ["contingency reserve", money(b.contingency_reserve)],
    ["management reserve", money(b.management_reserve)],
    ["total", money(b.total), "key"],
    ["budget", money(b.budget)],
    ["variance", money(b.variance), "key"],
  ]);
  $("budget-options").replaceChildren(
    ...(b.options || []).map((o) => el("li", {}, `${o.description} (saves ${money(o.saving)}, new total ${money(o.new_total)})`)),
  );
}

function isoDay(text) {
  const [y, m, d] = String(text).slice(0, 10).split("-").map(Number);
  return Date.UTC(y, m - 1, d);
}

function clip(text, n) {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}

function renderGantt(a) {
  const box = $("gantt");
  const s = a.schedule;
  if (!s || !s.tasks.length) {
    const why = a.issues.length ? `: ${a.issues[0].message}` : "";
    box.replaceChildren(el("p", { class: "muted" }, `Not scheduled${why}`));
    return;
  }
  const wbs = new Map(a.wbs.map((w) => [w.code, w]));
  const order = new Map(a.wbs.map((w, i) => [w.code, i]));
  const parents = new Set(a.wbs.map((w) => w.parent).filter(Boolean));
  const tasks = [...s.tasks].sort((x, y) => (order.get(x.code) ?? 1e9) - (order.get(y.code) ?? 1e9));
  const marks = [];
  if (a.brief.deadline) marks.push({ cls: "deadline", label: "deadline", at: a.brief.deadline });
  if (a.forecast) marks.push({ cls: "p80", label: "P80", at: a.forecast.p80_finish });

  const starts = tasks.map((t) => isoDay(t.early_start)).concat(isoDay(s.start));
  const ends = tasks.map((t) => isoDay(t.early_finish)).concat(isoDay(s.finish), marks.map((m) => isoDay(m.at)));
  const t0 = Math.min(...starts);
  const t1 = Math.max(...ends) + 7 * DAY_MS;
  const label = 230;
  const width = Math.max(box.clientWidth || 700, 560);
  const chart = width - label - 8;
  const row = 20;
  const top = 40;
  const height = top + tasks.length * row + 6;
  const x = (ms) => label + ((ms - t0) / (t1 - t0)) * chart;

  const critical = tasks.filter((t) => t.critical && !parents.has(t.code)).length;
  const root = svg("svg", {
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    role: "img",
    "aria-label": `Gantt chart: ${tasks.length} tasks from ${s.start} to ${s.finish}, ${critical} work packages on the critical path`,
  });

  // Month grid: a label on each month while there is room, else on each quarter.
  const grid = svg("g", { class: "axis" });
  const first = new Date(t0);
  const months = [];
  for (let d = Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), 1); d <= t1; ) {
    months.push(d);
    const n = new Date(d);
    d = Date.UTC(n.getUTCFullYear(), n.getUTCMonth() + 1, 1);
  }
  const step = chart / Math.max(months.length, 1) < 34 ? 3 : 1;
  let year = null;
  months.forEach((m, i) => {
    const date = new Date(m);
    const gx = x(m);
    if (gx >= label) grid.append(svg("line", { class: "grid", x1: gx, x2: gx, y1: top - 4, y2: height }));
    if (i % step === 0 && gx >= label - 1 && gx < width - 24) {
      const name = date.toLocaleString("en", { month: "short", timeZone: "UTC" });
      const text = date.getUTCFullYear() === year ? name : `${name} ${date.getUTCFullYear()}`;
      year = date.getUTCFullYear();
      grid.append(svg("text", { class: "tick", x: gx + 2, y: 14 }, text));
    }
  });
  root.append(grid);

  const rows = svg("g", { class: "rows" });
  tasks.forEach((t, i) => {
    const w = wbs.get(t.code) || { name: "", parent: null };
    const summary = parents.has(t.code);
    const y = top + i * row;
    const x0 = x(isoDay(t.early_start));
    const x1 = x(isoDay(t.early_finish));
    const cls = ["bar", t.critical ? "critical" : "", summary ? "summary" : ""].filter(Boolean).join(" ");
    const name = `${t.code} ${w.name}`;
    const tip = `${name}\n${t.early_start} → ${t.early_finish}${t.critical ? ", critical" : ""}, float ${t.total_float_days} d`;
    const g = svg("g", { class: summary ? "task summary" : "task", "data-code": t.code });
    g.append(
      svg("title", {}, tip),
      svg("rect", { class: i % 2 ? "stripe odd" : "stripe", x: 0, y, width, height: row }),
      svg("text", { class: summary ? "label summary" : "label", x: summary ? 4 : 14, y: y + row - 6 }, clip(name, 34)),
      svg("rect", {
        class: cls,
        "data-code": t.code,
        x: x0,
        y: y + (summary ? 7 : 4),
        width: Math.max(x1 - x0, 3),
        height: summary ? 6 : row - 8,
        rx: 2,
      }),
    );
    rows.append(g);
  });
  root.append(rows);

  for (const m of marks) {
    const mx = x(isoDay(m.at));
    root.append(
      svg("g", { class: `marker ${m.cls}` },
        svg("title", {}, `${m.label} ${m.at}`),
        svg("line", { x1: mx, x2: mx, y1: top - 16, y2: height }),
        svg("text", mx > width - 70 ? { x: mx - 3, y: top - 8, "text-anchor": "end" } : { x: mx + 3, y: top - 8 }, m.label)),
    );
  }
  box.replaceChildren(root);
}

function renderRisks(a) {
  const head = el("thead", {}, el("tr", {}, ...[
    "#", "ID", "Risk", "P", "Impact", "Score", "EMV", "Delay", "Response", "Contingency plan", "Owner",
  ].map((h) => el("th", { scope: "col" }, h))));
  const body = el("tbody");
  for (const r of a.risks) {
    const source = r.source ? [r.source.kind, r.source.ref].filter(Boolean).join(" ") : "";
    body.append(el("tr", { "data-risk": r.id, class: `rating-${r.rating}` },
      el("td", { class: "num" }, show(r.rank)),
      el("td", {}, r.id),
      el("td", { class: "statement" },
        el("span", {}, r.statement),
        r.trigger ? el("span", { class: "sub" }, `Trigger: ${r.trigger}`) : null,
        source ? el("span", { class: "sub" }, `Source: ${source}`) : null),
      el("td", { class: "num", "data-col": "probability" }, chance(r.probability)),
      el("td", { class: "num", "data-col": "impact" }, show(r.impact)),
      el("td", { class: "num", "data-col": "score" }, `${show(r.score)} ${show(r.rating)}`),
      el("td", { class: "num", "data-col": "emv" }, money(r.emv)),
      el("td", { class: "num", "data-col": "delay" }, days(r.expected_delay_days)),
      el("td", {}, show(r.response)),
      el("td", { class: "plan-text" }, show(r.contingency_plan)),
      el("td", {}, show(r.owner))));
  }
  const caption = el("caption", {}, `${a.risks.length} risks; contingency reserve ${money(a.contingency_reserve)} (risk EMV)`);
  $("risks").replaceChildren(caption, head, body);
}

function renderWbs(a) {
  const children = new Map();
  for (const w of a.wbs) {
    const key = w.parent || "";
    if (!children.has(key)) children.set(key, []);
    children.get(key).push(w);
  }
  const critical = new Set(a.schedule ? a.schedule.critical_path : []);
  const tree = (parent) => {
    const kids = children.get(parent) || [];
    if (!kids.length) return null;
    return el("ul", {},
      ...kids.map((w) => {
        const e = w.estimate;
        const est = e ? `${e.likely} ${e.unit} likely (${e.optimistic}–${e.pessimistic})` : null;
        const src = w.source ? [w.source.kind, w.source.ref].filter(Boolean).join(" ") : "";
        return el("li", { "data-code": w.code, class: critical.has(w.code) ? "critical" : null },
          el("span", { class: "code" }, w.code), " ",
          el("span", { class: "name" }, w.name),
          w.optional ? el("span", { class: "badge" }, "optional") : null,
          critical.has(w.code) ? el("span", { class: "badge critical" }, "critical") : null,
          est ? el("span", { class: "sub" }, est) : null,
          w.depends_on.length ? el("span", { class: "sub" }, `after ${w.depends_on.join(", ")}`) : null,
          src ? el("span", { class: "sub", title: w.source.quote || null }, `from ${src}`) : null,
          tree(w.code));
      }));
  };
  $("wbs").replaceChildren(tree("") || el("p", { class: "muted" }, "No work packages."));
}

function renderNotes(a) {
  const items = [
    ...a.issues.map((i) => ["issue", i.message]),
    ...(a.levelling ? a.levelling.findings.map((f) => ["finding", f.message]) : []),
    ...a.notes.map((n) => ["note", n]),
    ...a.assumptions.map((t) => ["assumption", t]),
  ];
  $("notes").replaceChildren(...items.map(([kind, text]) => el("li", { class: kind }, el("span", { class: "badge" }, kind), " ", text)));
}

// --- the chat ------------------------------------------------------------------------

function turn(role, text) {
  const li = el("li", { class: role }, el("span", { class: "who" }, role === "user" ? "you" : "pmpilot"));
  if (text !== undefined) li.append(el("p", { class: "text" }, text));
  $("transcript").append(li);
  li.scrollIntoView({ block: "end" });
  return li;
}

async function ensureThread() {
  if (state.threadId) return state.threadId;
  const t = await api("POST", `/v1/plans/${encodeURIComponent(state.plan.id)}/threads`);
  state.threadId = t.id;
  rememberThread(state.plan.id, t.id);
  return t.id;
}

async function* events(res) {
  // Server-sent events from a fetch() body (EventSource cannot POST or send a key).
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer = (buffer + value).replace(/\r\n/g, "\n");
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let kind = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const val = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") kind = val;
        else if (field === "data") data.push(val);
      }
      if (data.length) yield { kind, data: JSON.parse(data.join("\n")) };
    }
  }
}

function renderChanges(changes) {
  // The reply words the same changes; the table is there to compare them, folded away.
  if (!changes || !changes.length) return null;
  return el("details", { class: "changes" }, el("summary", {}, `${changes.length} computed change(s)`), el("table", {},
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "what"), el("th", { scope: "col" }, "before"), el("th", { scope: "col" }, "after"))),
    el("tbody", {}, ...changes.map((c) => el("tr", {}, el("td", {}, c.what), el("td", {}, c.before), el("td", {}, c.after))))));
}

async function send(message) {
  showError(null);
  setBusy(true, "Working on your message…");
  turn("user", message);
  const reply = turn("assistant");
  reply.classList.add("pending");
  const steps = el("ul", { class: "steps", "aria-label": "steps" });
  reply.append(steps);
  let finished = false;
  try {
    const id = await ensureThread();
    const res = await fetch(`/v1/threads/${encodeURIComponent(id)}/messages`, {
      method: "POST",
      headers: { ...headers(true), Accept: "text/event-stream" },
      body: JSON.stringify({ message }),
    });
    if (!res.ok) {
      if (res.status === 404) rememberThread(state.plan.id, null);
      throw await problem(res);
    }
    for await (const ev of events(res)) {
      if (ev.kind === "step") {
        steps.append(el("li", { "data-step": ev.data.step }, STEP_WORDS[ev.data.step] || ev.data.step));
        progress(`Working: ${STEP_WORDS[ev.data.step] || ev.data.step}…`);
      } else if (ev.kind === "message") {
        reply.append(el("p", { class: "text reply" }, ev.data.reply), renderChanges(ev.data.changes));
      } else if (ev.kind === "error") {
        throw new ApiError(ev.data.detail || ev.data.title || "the reply failed");
      } else if (ev.kind === "done") {
        finished = true;
      }
    }
    if (!finished) throw new ApiError("the reply was cut off; the plan may not have changed");
    reply.classList.remove("pending");
    reply.dataset.done = "1";
    await refreshThread(false);
  } catch (err) {
    reply.classList.remove("pending");
    reply.classList.add("failed");
    reply.append(el("p", { class: "error" }, String(err.message || err)));
    showError(err);
  } finally {
    setBusy(false);
    reply.scrollIntoView({ block: "end" });
  }
}

async function refreshThread(withTranscript = true) {
  // The thread holds the edited plan: after a reply, or when a plan is reopened.
  try {
    const t = await api("GET", `/v1/threads/${encodeURIComponent(state.threadId)}`);
    if (withTranscript) {
      $("transcript").replaceChildren();
      for (const entry of t.transcript) turn(entry.role === "user" ? "user" : "assistant", entry.content);
    }
    renderPlan(t.assessment);
  } catch (err) {
    if (withTranscript) {
      rememberThread(state.plan.id, null);
      state.threadId = null;
    }
    showError(err);
  }
}

// --- wiring ----------------------------------------------------------------------------

let resizeTimer = 0;

function start() {
  const key = sessionStorage.getItem(KEY_STORE) || "";
  $("api-key").value = key;
  if (key) useKey(key);
  setBusy(false);

  $("key-form").addEventListener("submit", (e) => {
    e.preventDefault();
    useKey($("api-key").value);
  });
  $("brief-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const brief = $("brief").value.trim();
    if (!state.key) showError(new ApiError("Enter an API key first."));
    else if (!brief) showError(new ApiError("Write or paste a brief first."));
    else if (!state.busy) draft(brief);
  });
  $("chat-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const message = $("message").value.trim();
    if (!message || state.busy || !state.plan) return;
    $("message").value = "";
    send(message);
  });
  $("message").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      $("chat-form").requestSubmit();
    }
  });
  $("refresh").addEventListener("click", loadPlans);
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => state.assessment && renderGantt(state.assessment), 150);
  });
}

document.addEventListener("DOMContentLoaded", start);
