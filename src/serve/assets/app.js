// jiance dashboard: plain JavaScript over the JSON API. Everything from the server is put in the page
// with textContent, except search/evidence snippets, which the server escapes and marks with <b>.
"use strict";

const LEVELS = { 1: "低", 2: "中", 3: "高", 4: "严重" };
const ACTIONS = { sample: "组织抽样", notify: "通报属地", dismiss: "不予处置" };
const SCOPES = { systemic: "系统性", regional: "区域性" };
const STATUSES = {
  new: "新增", escalated: "升级", deescalated: "降级", ongoing: "持续", closed: "已关闭", acknowledged: "已确认",
};
const KINDS = {
  complaint: "投诉", media: "媒体", notice: "通告", recall: "召回",
  inspection: "抽检", listing: "商品", standard: "标准",
};
const FACET_NAMES = {
  category: "品类 Category", hazard: "危害 Hazard", province: "省份 Province",
  kind: "类型 Kind", source: "来源 Source", platform: "平台 Platform",
};
// Facet name → search parameter it filters on.
const FACET_PARAMS = { category: "category", hazard: "hazard", province: "region", kind: "kind", source: "source" };
const ALERT_PAGE = 50;
const SEARCH_PAGE = 20;
const REFRESH_MS = 30000;

const $ = (sel) => document.querySelector(sel);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "onclick") e.addEventListener("click", v);
    else e.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

// Only web links become hrefs (never javascript: or data: from a crawled page).
function safeHref(url) {
  return /^https?:\/\//i.test(url || "") ? url : null;
}

function toast(msg) {
  const t = $("#toast");
  t.textContent = msg;
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.hidden = true; }, 6000);
}

async function api(path, params) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== "" && v !== null && v !== undefined && v !== false) qs.set(k, v);
  }
  const url = qs.toString() ? `${path}?${qs}` : path;
  const resp = await fetch(url, { headers: { Accept: "application/json" } });
  let body = null;
  try { body = await resp.json(); } catch (_) { /* not JSON */ }
  if (!resp.ok) throw new Error((body && body.error) || `${resp.status} ${resp.statusText}`);
  return body;
}

function formValues(form) {
  const out = {};
  for (const [k, v] of new FormData(form).entries()) out[k] = String(v).trim();
  return out;
}

function levelBadge(level) {
  return el("span", { class: `level level-${level}`, title: `风险等级 ${level}` }, `${level} ${LEVELS[level] || ""}`);
}

function actionBadge(action) {
  return el("span", { class: `action action-${action}` }, ACTIONS[action] || action);
}

function pager(container, total, offset, size, go) {
  container.replaceChildren();
  if (total <= size) return;
  const page = Math.floor(offset / size) + 1;
  const pages = Math.ceil(total / size);
  const prev = el("button", { type: "button", disabled: page <= 1 ? "disabled" : null }, "‹ 上一页");
  const next = el("button", { type: "button", disabled: page >= pages ? "disabled" : null }, "下一页 ›");
  prev.addEventListener("click", () => go(Math.max(0, offset - size)));
  next.addEventListener("click", () => go(offset + size));
  container.append(prev, el("span", {}, ` 第 ${page} / ${pages} 页，共 ${total} 条 `), next);
}

// ------------------------------------------------------------------ alerts

const alertState = { offset: 0, selected: null };

async function loadAlerts() {
  const params = { ...formValues($("#alert-filters")), limit: ALERT_PAGE, offset: alertState.offset };
  let page;
  try {
    page = await api("/api/alerts", params);
  } catch (e) {
    toast(`预警加载失败：${e.message}`);
    return;
  }
  const rows = $("#alert-rows");
  rows.replaceChildren();
  for (const a of page.alerts) {
    const tr = el("tr", { class: a.id === alertState.selected ? "selected" : null, tabindex: "0", "data-id": a.id },
      el("td", {}, levelBadge(a.level)),
      el("td", {}, actionBadge(a.action)),
      el("td", {}, SCOPES[a.scope] || a.scope),
      el("td", { class: "strong" }, a.category),
      el("td", {}, a.hazards.join("、")),
      el("td", {}, a.regions.join("、")),
      el("td", { class: "num" }, a.evidence.length),
      el("td", { class: "num" }, a.score.toFixed(1)),
      el("td", {}, a.updated));
    tr.title = a.summary;
    const open = () => { location.hash = `#/alert/${encodeURIComponent(a.id)}`; };
    tr.addEventListener("click", open);
    tr.addEventListener("keydown", (ev) => { if (ev.key === "Enter") open(); });
    rows.append(tr);
  }
  $("#alerts-empty").hidden = page.alerts.length > 0;
  $("#alerts-updated").textContent = `共 ${page.total} 条 · 更新于 ${new Date().toLocaleTimeString("zh-CN")}`;
  pager($("#alerts-pager"), page.total, alertState.offset, ALERT_PAGE, (o) => { alertState.offset = o; loadAlerts(); });
}

function kv(label, value) {
  if (!value || (Array.isArray(value) && value.length === 0)) return null;
  return el("div", { class: "kv" }, el("span", { class: "k" }, label), el("span", { class: "v" }, Array.isArray(value) ? value.join("、") : String(value)));
}

function renderSampling(s) {
  if (!s) return el("p", { class: "muted" }, "本预警无抽样建议（处置为通报或不予处置）。");
  return el("div", { class: "sampling" },
    kv("检验项目 Test items", s.test_items),
    kv("抽样地区 Regions", s.regions),
    kv("平台 Platforms", s.platforms),
    kv("店铺 Shops", s.shops),
    kv("品牌 Brands", s.brands),
    kv("生产企业 Enterprises", s.enterprises),
    kv("批次 Batches", String(s.batches)),
    kv("截止日期 Deadline", s.deadline));
}

function renderEvidence(list) {
  if (list.length === 0) return el("p", { class: "muted" }, "无证据文档。");
  return el("ol", { class: "evidence" }, list.map((d) => {
    if (!d.found) return el("li", { class: "missing" }, `文档 ${d.id}（索引中未找到 not in index）`);
    const snippet = el("p", { class: "snippet" });
    snippet.innerHTML = d.snippet; // escaped by the server, <b> marks matches
    const href = safeHref(d.url);
    return el("li", {},
      el("div", { class: "hit-title" }, href ? el("a", { href, target: "_blank", rel: "noopener noreferrer" }, d.title || d.url) : (d.title || d.id)),
      el("div", { class: "meta" }, [d.source, KINDS[d.kind] || d.kind, (d.published || "").slice(0, 10), d.provinces.join("、"),
        d.indexed ? null : "全文未入索引 not indexed"].filter(Boolean).join(" · ")),
      d.indexed ? snippet : null);
  }));
}

async function showAlert(id) {
  alertState.selected = id;
  for (const tr of document.querySelectorAll("#alert-rows tr")) tr.classList.toggle("selected", tr.dataset.id === id);
  const box = $("#alert-detail");
  box.replaceChildren(el("p", { class: "muted" }, "加载中…"));
  let d;
  try {
    d = await api(`/api/alerts/${encodeURIComponent(id)}`);
  } catch (e) {
    box.replaceChildren(el("p", { class: "error" }, `无法加载预警：${e.message}`));
    return;
  }
  const a = d.alert;
  const breakdown = el("table", { class: "grid breakdown" },
    el("thead", {}, el("tr", {}, el("th", {}, "项目 Term"), el("th", {}, "数值 Value"), el("th", {}, "说明 Note"))),
    el("tbody", {}, a.breakdown.map((t) => el("tr", {},
      el("td", {}, t.name), el("td", { class: "num" }, Number.isInteger(t.value) ? t.value : t.value.toFixed(3)), el("td", {}, t.note)))));
  box.replaceChildren(
    el("div", { class: "detail-head" }, levelBadge(a.level), actionBadge(a.action),
      el("span", { class: "scope" }, SCOPES[a.scope] || a.scope), el("h2", {}, a.category)),
    el("p", { class: "summary" }, a.summary),
    el("div", { class: "facts" },
      kv("危害 Hazards", a.hazards),
      kv("地区 Regions", a.regions),
      kv("状态 Status", `${STATUSES[a.status] || a.status} ${a.status}`),
      kv("首次发现 First seen", a.first_seen),
      kv("更新 Updated", a.updated),
      kv("评分 Score", a.score.toFixed(2))),
    el("h3", {}, "评分构成 Score breakdown"), breakdown,
    el("h3", {}, `证据 Evidence（${a.evidence.length}）`), renderEvidence(d.evidence),
    el("h3", {}, "抽样建议 Sampling request"), renderSampling(d.sampling_request));
}

// ------------------------------------------------------------------ search

const searchState = { offset: 0, filters: {}, done: false };

function searchParams() {
  const f = formValues($("#search-form"));
  if (!$("#search-form").signals.checked) delete f.signals;
  return { ...f, ...searchState.filters, limit: SEARCH_PAGE, offset: searchState.offset };
}

function renderChips() {
  const box = $("#search-chips");
  box.replaceChildren();
  for (const [k, v] of Object.entries(searchState.filters)) {
    const chip = el("button", { type: "button", class: "chip", title: "移除此筛选" }, `${k}: ${v} ✕`);
    chip.addEventListener("click", () => { delete searchState.filters[k]; searchState.offset = 0; runSearch(); });
    box.append(chip);
  }
}

function renderFacets(facets) {
  const box = $("#facets");
  box.replaceChildren();
  for (const name of Object.keys(FACET_NAMES)) {
    const values = facets[name] || [];
    if (values.length === 0) continue;
    const param = FACET_PARAMS[name];
    box.append(el("h3", {}, FACET_NAMES[name]), el("ul", { class: "facet" }, values.map(([value, count]) => {
      const label = name === "kind" ? `${KINDS[value] || value}` : value;
      const item = el("li", {}, param ? el("a", { href: "#" }, label) : el("span", {}, label), el("span", { class: "count" }, count));
      if (param) {
        item.firstChild.addEventListener("click", (ev) => {
          ev.preventDefault();
          searchState.filters[param] = value;
          searchState.offset = 0;
          runSearch();
        });
      }
      return item;
    })));
  }
}

async function runSearch() {
  searchState.done = true;
  renderChips();
  let r;
  try {
    r = await api("/api/search", searchParams());
  } catch (e) {
    $("#search-summary").textContent = "";
    $("#hits").replaceChildren(el("li", { class: "error" }, e.message));
    $("#facets").replaceChildren();
    $("#search-pager").replaceChildren();
    return;
  }
  $("#search-summary").textContent = `找到 ${r.total} 篇文档 · ${r.total} documents`;
  $("#hits").replaceChildren(...r.hits.map((h) => {
    const snippet = el("p", { class: "snippet" });
    snippet.innerHTML = h.snippet; // escaped by the server, <b> marks matches
    const href = safeHref(h.url);
    return el("li", { class: h.is_signal ? "signal" : null },
      el("div", { class: "hit-title" },
        href ? el("a", { href, target: "_blank", rel: "noopener noreferrer" }, h.title || h.url) : (h.title || h.id),
        h.is_signal ? el("span", { class: "tag tag-signal" }, "风险信号") : null),
      el("div", { class: "meta" }, [h.source, KINDS[h.kind] || h.kind, (h.published || "").slice(0, 10),
        h.categories.join("、"), h.hazards.join("、"), h.provinces.join("、")].filter(Boolean).join(" · ")),
      snippet);
  }));
  renderFacets(r.facets);
  pager($("#search-pager"), r.total, searchState.offset, SEARCH_PAGE, (o) => { searchState.offset = o; runSearch(); });
}

// ------------------------------------------------------------------ sampling

async function loadSampling() {
  let list;
  try {
    list = await api("/api/sampling-requests");
  } catch (e) {
    toast(`抽样建议加载失败：${e.message}`);
    return;
  }
  $("#sampling-rows").replaceChildren(...list.map((s) => el("tr", {},
    el("td", { class: "strong" }, s.category),
    el("td", {}, s.test_items.join("、")),
    el("td", {}, s.regions.join("、")),
    el("td", {}, s.platforms.join("、")),
    el("td", {}, [...s.shops, ...s.brands, ...s.enterprises].join("、")),
    el("td", { class: "num" }, s.batches),
    el("td", {}, s.deadline),
    el("td", {}, el("a", { href: `#/alert/${encodeURIComponent(s.alert_id)}` }, "查看")))));
  $("#sampling-empty").hidden = list.length > 0;
}

// ------------------------------------------------------------------ stats

function bars(container, rows) {
  const max = Math.max(1, ...rows.map(([, n]) => n));
  container.replaceChildren(...rows.slice(0, 30).map(([name, n]) =>
    el("div", { class: "bar-row" },
      el("span", { class: "bar-label" }, name),
      el("span", { class: "bar" }, el("span", { class: "bar-fill", "data-w": String(Math.round((n / max) * 100)) })),
      el("span", { class: "num" }, n))));
  // Widths via the CSSOM (allowed by the CSP, unlike inline style attributes).
  for (const f of container.querySelectorAll(".bar-fill")) f.style.width = `${f.dataset.w}%`;
}

async function loadStats() {
  let s;
  try {
    s = await api("/api/stats", formValues($("#stats-form")));
  } catch (e) {
    toast(`统计加载失败：${e.message}`);
    return;
  }
  $("#stats-summary").textContent = `信号 ${s.signals} 条，来自 ${s.documents} 篇文档`;
  bars($("#stats-province"), s.by_province);
  bars($("#stats-category"), s.by_category);
  // Day × category table, newest day first.
  const cats = s.by_category.slice(0, 8).map(([c]) => c);
  const days = new Map();
  for (const d of s.by_day) {
    if (!days.has(d.day)) days.set(d.day, {});
    days.get(d.day)[d.category] = d.signals;
  }
  const order = [...days.keys()].sort().reverse().slice(0, 60);
  $("#stats-days").replaceChildren(el("table", { class: "grid" },
    el("thead", {}, el("tr", {}, el("th", {}, "日期"), cats.map((c) => el("th", {}, c)))),
    el("tbody", {}, order.map((day) => el("tr", {}, el("td", {}, day),
      cats.map((c) => el("td", { class: (days.get(day)[c] || 0) > 0 ? "num hot" : "num" }, days.get(day)[c] || 0)))))));
}

// ------------------------------------------------------------------ routing

function show(view) {
  for (const v of document.querySelectorAll(".view")) v.hidden = v.id !== `view-${view}`;
  for (const t of document.querySelectorAll(".tab")) t.classList.toggle("active", t.dataset.view === view);
}

function route() {
  const h = location.hash;
  const m = h.match(/^#\/alert\/(.+)$/);
  if (m) {
    show("alerts");
    showAlert(decodeURIComponent(m[1]));
    return;
  }
  const view = (h.match(/^#\/(\w+)/) || [])[1] || "alerts";
  show(["alerts", "search", "sampling", "stats"].includes(view) ? view : "alerts");
  if (view === "sampling") loadSampling();
  if (view === "stats") loadStats();
  if (view === "search") {
    // #/search?q=… pre-fills the box (links from elsewhere); the first visit lists the newest documents.
    const q = new URLSearchParams(h.split("?")[1] || "").get("q");
    if (q !== null) $("#search-q").value = q;
    if (q !== null || !searchState.done) { searchState.offset = 0; runSearch(); }
  }
}

function init() {
  for (const t of document.querySelectorAll(".tab")) {
    t.addEventListener("click", () => { location.hash = `#/${t.dataset.view}`; });
  }
  $("#alert-filters").addEventListener("submit", (ev) => { ev.preventDefault(); alertState.offset = 0; loadAlerts(); });
  for (const s of document.querySelectorAll("#alert-filters select")) {
    s.addEventListener("change", () => { alertState.offset = 0; loadAlerts(); });
  }
  $("#search-form").addEventListener("submit", (ev) => { ev.preventDefault(); searchState.offset = 0; runSearch(); });
  $("#stats-form").addEventListener("submit", (ev) => { ev.preventDefault(); loadStats(); });
  window.addEventListener("hashchange", route);
  loadAlerts();
  // SSE comes later; until then the list refreshes itself.
  setInterval(() => { if (!document.hidden) loadAlerts(); }, REFRESH_MS);
  route();
}

document.addEventListener("DOMContentLoaded", init);
