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

// Extension points other scripts (review.js) fill before init runs: extra views by name, extra
// routes (a hash pattern and its handler), and extra parts under an alert's detail and beside a
// document (a search hit or a piece of evidence).
const VIEWS = {};
const ROUTES = [];
const ALERT_EXTRAS = [];
const DOC_EXTRAS = [];

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

// The bearer token (viewer or operator) the user entered; kept in this browser only.
const TOKEN_KEY = "jiance.token";
function token() {
  try { return localStorage.getItem(TOKEN_KEY) || ""; } catch (_) { return ""; }
}

async function api(path, params, init) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== "" && v !== null && v !== undefined && v !== false) qs.set(k, v);
  }
  const url = qs.toString() ? `${path}?${qs}` : path;
  const headers = { Accept: "application/json" };
  if (token()) headers.Authorization = `Bearer ${token()}`;
  if (init && init.body) headers["Content-Type"] = "application/json";
  const resp = await fetch(url, { ...(init || {}), headers });
  let body = null;
  try { body = await resp.json(); } catch (_) { /* not JSON */ }
  if (resp.status === 401 || resp.status === 403) $("#token-box").classList.add("need");
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
      el("td", { class: "strong" }, a.category,
        a.status !== "ongoing" ? el("span", { class: `tag status-${a.status}` }, STATUSES[a.status] || a.status) : null),
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
  const v = value instanceof Node ? value : Array.isArray(value) ? value.join("、") : String(value);
  return el("div", { class: "kv" }, el("span", { class: "k" }, label), el("span", { class: "v" }, v));
}

function renderSampling(s) {
  if (!s) return el("p", { class: "muted" }, "本预警无抽样建议（处置为通报或不予处置）。");
  return el("div", { class: "sampling" },
    kv("优先 Priority", s.reason),
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
      d.indexed ? snippet : null,
      ...DOC_EXTRAS.map((f) => f(d)));
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
      kv("评分 Score", a.score.toFixed(1)), // as the ranked list shows it
      kv("p值 p-value", pValueOf(a))),
    el("h3", {}, "评分构成 Why this alert"),
    renderReasons(a.reasons || []),
    renderDaily(a.daily || []),
    renderBreakdown(a.breakdown),
    renderAck(a, d.acknowledgement),
    renderJurisdictions(a),
    el("h3", {}, `证据 Evidence（${a.evidence.length}）`), renderEvidence(d.evidence),
    el("h3", {}, "抽样建议 Sampling request"), renderSampling(d.sampling_request),
    renderInspection(d.inspection),
    renderBrands(d.brands || []),
    el("h3", {}, `变更记录 History（${d.history.length}）`), renderHistory(d.history));
  for (const extra of ALERT_EXTRAS) extra(box, a);
}

// Numbers on the alert page, one form each: p-values in scientific notation with a superscript
// exponent (6.2×10⁻³, as the server writes them in the summary and reasons), counts as integers,
// other figures to two decimals (one above 100, two significant digits below 0.01).
const SUPERSCRIPT = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };
function formatP(p) {
  if (!(p > 0) || !Number.isFinite(p)) return "0";
  const [m, e] = p.toExponential(1).split("e");
  return `${m}×10${String(Number(e)).replace(/./g, (c) => SUPERSCRIPT[c] || c)}`;
}
function formatNumber(x) {
  if (Number.isInteger(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 100) return x.toFixed(1);
  // a small figure keeps two significant digits rather than rounding to 0.00
  return a >= 0.01 ? x.toFixed(2) : String(Number(x.toPrecision(2)));
}
// Breakdown terms that are probabilities.
const P_TERMS = new Set(["p_value", "p_conditional", "combined_p"]);
function formatTerm(t) {
  return P_TERMS.has(t.name) ? formatP(t.value) : formatNumber(t.value);
}
function pValueOf(a) {
  const t = a.breakdown.find((x) => x.name === "p_value");
  return t ? el("span", { class: "p-value", "data-p": String(t.value) }, formatP(t.value)) : null;
}

// Why, one sentence each (written by the scorer from the breakdown's numbers).
function renderReasons(list) {
  if (!list.length) return el("p", { class: "muted" }, "无评分说明。");
  return el("ol", { class: "reasons" }, list.map((r) => el("li", {}, r)));
}

// An on-sale finding's packages per jurisdiction: the printable page or the CSV.
function findingPackage(f, what) {
  const id = encodeURIComponent(f.id);
  const auth = token() ? `access_token=${encodeURIComponent(token())}` : "";
  return what === "print"
    ? `/print/onsale/${id}/jurisdictions${auth ? `?${auth}` : ""}`
    : `/api/onsale/${id}/jurisdictions?format=csv${auth ? `&${auth}` : ""}`;
}

// Whom to hand the alert to (属地, issue 47): the places of the enterprises and shops of its
// evidence, each with its parties, and the packages to print or download.
const ROLES = { enterprise: "生产企业", shop: "销售店铺" };
function renderJurisdictions(a) {
  const list = a.jurisdictions || [];
  if (!list.length) return el("div", {});
  const id = encodeURIComponent(a.id);
  const auth = token() ? `access_token=${encodeURIComponent(token())}` : "";
  return el("div", { class: "jurisdictions" },
    el("h3", {}, `属地 Jurisdictions（${list.length}）`, " ",
      el("a", { class: "print", href: `/print/jurisdictions/${id}${auth ? `?${auth}` : ""}`, target: "_blank" }, "打印通报"), " ",
      el("a", { href: `/api/alerts/${id}/jurisdictions?format=csv${auth ? `&${auth}` : ""}` }, "CSV")),
    el("ul", {}, list.map((j) => el("li", {},
      el("b", {}, `${j.province}${j.city || ""}`), "：",
      j.parties.map((p) => `${ROLES[p.role] || p.role} ${p.name}`).join("；"),
      el("span", { class: "muted" }, `（${j.documents.length} 篇证据）`)))));
}

// The breakdown, every term, folded: the reasons above say what it means.
function renderBreakdown(terms) {
  return el("details", { class: "stats-details" },
    el("summary", {}, `统计细节 Statistical details（${terms.length} 项）`),
    el("table", { class: "grid breakdown" },
      el("colgroup", {}, el("col", { class: "c-name" }), el("col", { class: "c-value" }), el("col", {})),
      el("thead", {}, el("tr", {}, el("th", {}, "项目 Term"), el("th", { class: "num" }, "数值 Value"), el("th", {}, "说明 Note"))),
      el("tbody", {}, terms.map((t) => el("tr", { "data-term": t.name },
        el("td", { class: "term" }, t.name), el("td", { class: "num" }, formatTerm(t)), el("td", {}, t.note))))));
}

// Daily counts against the band the baseline expects (inline SVG, no library): the band as an
// area, the expectation as a dashed line, each day's count as a bar (the window's darker, a day
// above the band red), the window shaded.
function renderDaily(days) {
  if (!days.length) return null;
  const W = 480; const H = 190; const L = 34; const R = 8; const T = 10; const B = 26;
  const n = days.length;
  const step = (W - L - R) / n;
  const top = Math.max(1, ...days.map((d) => Math.max(d.observed, d.high)));
  const ymax = niceCeil(top * 1.08);
  const x = (i) => L + step * i;
  const y = (v) => T + (H - T - B) * (1 - v / ymax);
  const parts = [];
  const w0 = days.findIndex((d) => d.window);
  if (w0 >= 0) parts.push(svg("rect", { x: x(w0).toFixed(1), y: T, width: (step * (n - w0)).toFixed(1), height: H - T - B, class: "window-bg" }));
  for (const v of [0, ymax / 2, ymax]) {
    parts.push(svg("line", { x1: L, x2: W - R, y1: y(v).toFixed(1), y2: y(v).toFixed(1), class: v === 0 ? "axis" : "grid-line" }));
    parts.push(svg("text", { x: L - 4, y: (y(v) + 3).toFixed(1), class: "tick end" }, String(Number(v.toFixed(2)))));
  }
  // the band: one area per run of days that have an expectation
  let run = [];
  const flush = () => {
    if (run.length) {
      const upper = run.map((i) => `${(x(i) + step / 2).toFixed(1)},${y(days[i].high).toFixed(1)}`);
      const lower = run.slice().reverse().map((i) => `${(x(i) + step / 2).toFixed(1)},${y(days[i].low).toFixed(1)}`);
      const edge = run.length === 1 ? [`${(x(run[0]) + step * 0.9).toFixed(1)},${y(days[run[0]].high).toFixed(1)}`] : [];
      parts.push(svg("polygon", { points: [...upper, ...edge, ...lower].join(" "), class: "band" }));
      parts.push(svg("polyline", { points: run.map((i) => `${(x(i) + step / 2).toFixed(1)},${y(days[i].expected).toFixed(1)}`).join(" "), class: "expected" }));
    }
    run = [];
  };
  days.forEach((d, i) => { if (d.excluded) flush(); else run.push(i); });
  flush();
  days.forEach((d, i) => {
    const over = !d.excluded && d.observed > d.high;
    const h = Math.max(0, y(0) - y(d.observed));
    parts.push(svg("rect", {
      x: (x(i) + step * 0.15).toFixed(1), y: (y(0) - h).toFixed(1), width: (step * 0.7).toFixed(1), height: h.toFixed(1),
      class: `obs${d.window ? " in-window" : ""}${over ? " over" : ""}`, "data-day": d.day,
    }, svg("title", {}, `${d.day}：${formatNumber(d.observed)}${d.excluded ? "（不计入基线）" : `，预期 ${formatNumber(d.expected)}，正常范围 ${formatNumber(d.low)}–${formatNumber(d.high)}`}`)));
  });
  const label = (i, anchor) => svg("text", { x: (x(i) + step / 2).toFixed(1), y: H - 8, class: `tick ${anchor}` }, days[i].day.slice(5));
  parts.push(label(0, "start"));
  if (w0 > 0) parts.push(label(w0, "middle"));
  parts.push(label(n - 1, "end"));
  const over = days.filter((d) => d.window && !d.excluded && d.observed > d.high).length;
  return el("figure", { class: "daily-fig" },
    svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "daily-chart", role: "img",
      "aria-label": `每日信息量与基线预期范围：窗口内 ${over} 天高于正常范围` },
    svg("title", {}, "每日加权信息量与基线预期范围"), ...parts),
    el("figcaption", { class: "legend-line" },
      el("span", { class: "sw sw-obs" }), "每日加权信息量 ",
      el("span", { class: "sw sw-over" }), "高于正常范围 ",
      el("span", { class: "sw sw-band" }), "基线预期 95% 范围 ",
      el("span", { class: "sw sw-window" }), "检验窗口"));
}

// 1, 2, 2.5, 5 × 10ⁿ at or above x: round gridline labels.
function niceCeil(x) {
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

// The category's brands: exposure (reports per 10,000 units sold) and disproportionate hazards.
function renderBrands(list) {
  if (!list.length) return el("span");
  const num = (x, d) => (x === null || x === undefined ? "—" : Number(x).toFixed(d));
  return el("div", { class: "brands" },
    el("h3", {}, "品牌暴露与不成比例 Brands: exposure and disproportionality"),
    el("table", { class: "grid brand-table" },
      el("thead", {}, el("tr", {}, el("th", {}, "品牌"), el("th", {}, "报告"), el("th", {}, "销量"),
        el("th", { title: "每万件销量的投诉和事故报告" }, "每万件"),
        el("th", { title: "95%把握的每万件报告数下限（排序依据）" }, "下限"), el("th", {}, "品类每万件"),
        el("th", { title: "销量最高的型号和店铺" }, "主要型号 / 店铺"),
        el("th", {}, "突出危害"), el("th", { title: "比例报告比及95%置信区间" }, "PRR"), el("th", { title: "经验贝叶斯收缩后的比值及5%下限" }, "EBGM / EB05"))),
      el("tbody", {}, list.slice(0, 15).map((b) => {
        const d = b.disproportion;
        return el("tr", {},
          el("td", {}, b.brand), el("td", { class: "num" }, b.reports), el("td", { class: "num" }, b.units === null ? "—" : b.units),
          el("td", { class: "num" }, num(b.rate, 2)), el("td", { class: "num" }, num(b.rate_low, 2)),
          el("td", { class: "num" }, num(b.category_rate, 2)),
          el("td", {}, [...(b.models || []).slice(0, 2), ...(b.shops || []).slice(0, 2)]
            .map((u) => `${u.name} ${u.units}`).join("、") || "—"),
          el("td", {}, d ? `${d.hazard}（${d.reports}/${d.brand_reports}）` : "—"),
          el("td", { class: "num" }, d && d.prr !== null ? `${num(d.prr, 2)} [${num(d.prr_low, 2)}–${num(d.prr_high, 2)}]` : "—"),
          el("td", { class: "num" }, d ? `${num(d.ebgm, 2)} / ${num(d.eb05, 2)}` : "—"));
      }))));
}

const CHANGES = {
  new: "新增", escalated: "升级", deescalated: "降级", updated: "更新", closed: "关闭",
  acknowledged: "已确认", inspection: "抽检结果",
};

function renderHistory(list) {
  if (list.length === 0) return el("p", { class: "muted" }, "暂无变更记录。");
  return el("table", { class: "grid history" },
    el("thead", {}, el("tr", {}, el("th", {}, "时间 Time"), el("th", {}, "变更 Change"), el("th", {}, "等级"), el("th", {}, "说明 Note"))),
    el("tbody", {}, [...list].reverse().map((c) => el("tr", { "data-change": c.change },
      el("td", {}, new Date(c.at).toLocaleString("zh-CN")),
      el("td", {}, `${CHANGES[c.change] || c.change} ${c.change}`),
      el("td", { class: "num" }, c.level),
      el("td", {}, c.note)))));
}

function renderAck(a, ack) {
  const box = el("div", { class: "ack" });
  if (ack) {
    box.append(el("span", { class: "tag tag-ack" }, "已确认 Acknowledged"),
      ` ${new Date(ack.at).toLocaleString("zh-CN")} ${ack.note || ""}`);
    return box;
  }
  const note = el("input", { name: "note", placeholder: "确认说明（可选）", size: "24" });
  const btn = el("button", { type: "button", id: "ack-button" }, "确认预警 Acknowledge");
  btn.addEventListener("click", async () => {
    try {
      await api(`/api/alerts/${encodeURIComponent(a.id)}/ack`, null, { method: "POST", body: JSON.stringify({ note: note.value }) });
      toast("已确认预警");
      showAlert(a.id);
      loadAlerts();
    } catch (e) {
      toast(`确认失败（需操作员令牌 operator token）：${e.message}`);
    }
  });
  box.append(note, btn);
  return box;
}

function renderInspection(i) {
  if (!i) return null;
  return el("div", { class: "inspection" },
    el("h3", {}, `抽检结果 Inspection（${i.batches} 批，不合格 ${i.failed}）`),
    el("table", { class: "grid" },
      el("thead", {}, el("tr", {}, el("th", {}, "批次"), el("th", {}, "抽样对象"), el("th", {}, "项目"), el("th", {}, "结果"), el("th", {}, "日期"))),
      el("tbody", {}, i.results.map((r) => el("tr", { class: r.passed ? null : "fail" },
        el("td", {}, r.batch), el("td", {}, r.party), el("td", {}, r.item),
        el("td", {}, r.passed ? "合格" : "不合格"), el("td", {}, r.inspected_on))))));
}

// ------------------------------------------------------------------ search

// `like`: the document a "more like this" search starts from ({ id, title }), or null.
const searchState = { offset: 0, filters: {}, done: false, like: null };

function searchParams() {
  const f = formValues($("#search-form"));
  if (!$("#search-form").signals.checked) delete f.signals;
  const like = searchState.like ? { like: searchState.like.id } : {};
  return { ...f, ...searchState.filters, ...like, limit: SEARCH_PAGE, offset: searchState.offset };
}

// What the query's words were expanded to, and the filters written in it.
function renderExpansions(r) {
  const box = $("#search-expansions");
  const parts = (r.expansions || []).map((e) => {
    const shown = e.terms.slice(0, 10).join(" / ") + (e.terms.length > 10 ? ` 等 ${e.terms.length} 个词` : "");
    return el("div", { class: "expansion", title: e.terms.join(" / ") },
      el("span", { class: "word" }, e.word), " → ",
      el("span", { class: "concept" }, `${e.kind === "hazard" ? "危害" : "品类"}「${e.concept}」`), "：", shown);
  });
  for (const [name, value] of r.query_filters || []) {
    parts.push(el("div", { class: "expansion filter" }, `筛选 ${name}: ${value}`));
  }
  box.replaceChildren(...parts);
  box.hidden = parts.length === 0;
}

// The export links carry the search (not its page) and the token: a download cannot send a header.
function renderExports() {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(searchParams())) {
    if (k !== "limit" && k !== "offset" && v !== "" && v !== null && v !== undefined) qs.set(k, v);
  }
  if (token()) qs.set("access_token", token());
  $("#search-csv").href = `/api/search/export?${new URLSearchParams([...qs, ["format", "csv"]])}`;
  $("#search-xlsx").href = `/api/search/export?${new URLSearchParams([...qs, ["format", "xlsx"]])}`;
  $("#search-exports").hidden = false;
}

// A story's other copies (reposts), folded under its hit.
function copiesOf(h) {
  if (!h.copies || h.copies < 2) return null;
  return el("details", { class: "copies" },
    el("summary", {}, `另有 ${h.copies - 1} 篇转载 · ${h.copies} copies from ${h.sources.join("、")}`),
    el("ul", {}, (h.others || []).map((o) => {
      const href = safeHref(o.url);
      return el("li", {}, href ? el("a", { href, target: "_blank", rel: "noopener noreferrer" }, o.title || o.url) : (o.title || o.id),
        el("span", { class: "muted" }, ` ${o.source} · ${(o.published || "").slice(0, 10)}`));
    })));
}

function likeButton(h) {
  return el("button", { type: "button", class: "like", title: "查找与此文相似的其他事件",
    onclick: () => { searchState.like = { id: h.id, title: h.title }; searchState.offset = 0; runSearch(); } }, "相似 More like this");
}

function renderChips() {
  const box = $("#search-chips");
  box.replaceChildren();
  for (const [k, v] of Object.entries(searchState.filters)) {
    const chip = el("button", { type: "button", class: "chip", title: "移除此筛选" }, `${k}: ${v} ✕`);
    chip.addEventListener("click", () => { delete searchState.filters[k]; searchState.offset = 0; runSearch(); });
    box.append(chip);
  }
  if (searchState.like) {
    const chip = el("button", { type: "button", class: "chip", title: "移除此筛选" }, `相似于: ${searchState.like.title || searchState.like.id} ✕`);
    chip.addEventListener("click", () => { searchState.like = null; searchState.offset = 0; runSearch(); });
    box.append(chip);
  }
}

function renderFacets(facets, stories) {
  const box = $("#facets");
  box.replaceChildren();
  for (const name of Object.keys(FACET_NAMES)) {
    const values = facets[name] || [];
    if (values.length === 0) continue;
    const param = FACET_PARAMS[name];
    box.append(el("h3", {}, FACET_NAMES[name]), el("ul", { class: "facet" }, values.map(([value, count]) => {
      const label = name === "kind" ? `${KINDS[value] || value}` : value;
      // documents, and stories (reposts once) when the hits are collapsed
      const perStory = stories && stories[name] ? stories[name][value] : undefined;
      const shown = perStory === undefined ? `${count}` : `${count} / ${perStory}`;
      const item = el("li", {}, param ? el("a", { href: "#" }, label) : el("span", {}, label),
        el("span", { class: "count", title: perStory === undefined ? "文档 documents" : "文档 / 事件 documents / stories" }, shown));
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
  // Only the latest search is shown: an earlier, slower one must not overwrite it.
  const seq = (searchState.seq = (searchState.seq || 0) + 1);
  let r;
  try {
    r = await api("/api/search", searchParams());
    if (seq !== searchState.seq) return;
  } catch (e) {
    if (seq !== searchState.seq) return;
    $("#search-summary").textContent = "";
    $("#hits").replaceChildren(el("li", { class: "error" }, e.message));
    $("#facets").replaceChildren();
    $("#search-pager").replaceChildren();
    $("#search-expansions").hidden = true;
    $("#search-exports").hidden = true;
    return;
  }
  $("#search-summary").textContent = r.stories === undefined || r.stories === null
    ? `找到 ${r.total} 篇文档 · ${r.total} documents`
    : `找到 ${r.total} 篇文档，${r.stories} 个事件 · ${r.total} documents in ${r.stories} stories`;
  renderExpansions(r);
  renderExports();
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
      snippet,
      copiesOf(h),
      el("div", { class: "hit-actions" }, likeButton(h)),
      ...DOC_EXTRAS.map((f) => f(h)));
  }));
  renderFacets(r.facets, r.facet_stories);
  // pages go over stories when hits are collapsed
  const units = r.stories === undefined || r.stories === null ? r.total : r.stories;
  pager($("#search-pager"), units, searchState.offset, SEARCH_PAGE, (o) => { searchState.offset = o; runSearch(); });
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
    el("td", {}, (s.items && s.items.length ? s.items.map((t) => t.standard ? `${t.item}（${t.standard}）` : t.item) : s.test_items).join("、")),
    el("td", {}, s.regions.join("、")),
    el("td", {}, s.platforms.join("、")),
    el("td", { title: s.reason || null }, [...s.shops, ...s.brands, ...s.enterprises].join("、"),
      s.reason ? el("span", { class: "tag tag-repeat" }, "重复违法优先") : null),
    el("td", { class: "num" }, s.batches),
    el("td", {}, s.deadline),
    el("td", { class: "num purchases" }, (s.purchases || []).length),
    el("td", {}, el("a", { href: `#/alert/${encodeURIComponent(s.alert_id)}` }, "查看"), " ",
      el("a", { class: "print", href: `/print/sampling/${encodeURIComponent(s.alert_id)}${token() ? `?access_token=${encodeURIComponent(token())}` : ""}`, target: "_blank" }, "打印"), " ",
      el("a", { class: "csv", href: `/api/sampling-requests?alert=${encodeURIComponent(s.alert_id)}&format=csv${token() ? `&access_token=${encodeURIComponent(token())}` : ""}` }, "CSV")))));
  $("#sampling-empty").hidden = list.length > 0;
}

// ------------------------------------------------------------------ on sale

const ONSALE_PAGE = 100;
const onsaleState = { offset: 0 };
const MATCHED = {
  model: "型号", brand: "品牌", enterprise: "企业", batch: "批次", category: "品类",
  "no-ccc": "无CCC标注", "old-standard": "旧标准", "no-standard": "未标标准", "banned-term": "禁售品",
};
const BASIS = { recall: "召回", failed: "抽检不合格", ccc: "未标CCC", standard: "标准过期", banned: "禁售产品" };

async function loadOnsale() {
  const filters = formValues($("#onsale-filters"));
  let page;
  try {
    page = await api("/api/onsale", { ...filters, limit: ONSALE_PAGE, offset: onsaleState.offset });
  } catch (e) {
    toast(`在售发现加载失败：${e.message}`);
    return;
  }
  // The platform choices: every platform with findings, the current choice kept.
  const select = $("#onsale-platform");
  const chosen = select.value;
  select.replaceChildren(el("option", { value: "" }, "全部"),
    ...Object.entries(page.platforms).map(([p, n]) => el("option", { value: p }, `${p} (${n})`)));
  select.value = chosen;
  const basisSelect = $("#onsale-basis");
  const basisChosen = basisSelect.value;
  basisSelect.replaceChildren(el("option", { value: "" }, "全部"),
    ...Object.keys(BASIS).filter((b) => page.bases && page.bases[b])
      .map((b) => el("option", { value: b }, `${BASIS[b]} (${page.bases[b]})`)));
  basisSelect.value = basisChosen;
  // The CSV export carries the same filters (and the token: a download cannot send a header).
  const qs = new URLSearchParams({ format: "csv" });
  for (const [k, v] of Object.entries(filters)) if (v) qs.set(k, v);
  if (token()) qs.set("access_token", token());
  $("#onsale-csv").href = `/api/onsale?${qs}`;
  $("#onsale-summary").textContent = `共 ${page.total} 条`;
  $("#onsale-rows").replaceChildren(...page.findings.map((f) => el("tr", { "data-id": f.id },
    el("td", { class: "num" }, f.confidence.toFixed(2)),
    el("td", {}, f.listing.platform),
    el("td", {}, f.listing.shop),
    el("td", {}, f.listing.province || f.listing.shop_region),
    el("td", {}, el("a", { href: safeHref(f.listing.url), target: "_blank", rel: "noopener" }, f.listing.title)),
    el("td", { class: "num" }, f.listing.price === null ? "" : `￥${f.listing.price.toFixed(2)}`),
    el("td", { class: "num" }, f.listing.sales_text || ""),
    el("td", {}, f.flagged.url
      ? el("a", { href: safeHref(f.flagged.url), target: "_blank", rel: "noopener" }, BASIS[f.flagged.basis] || f.flagged.basis)
      : el("span", { class: `basis basis-${f.flagged.basis}` }, BASIS[f.flagged.basis] || f.flagged.basis),
      // a product several notices name is one finding; say how many, and which, on hover
      (f.flagged.notices || 1) > 1
        ? el("span", { class: "muted", title: (f.flagged.also_in || []).map((n) => `${n.day} ${n.url}`).join("\n") },
          ` 共${f.flagged.notices}份通告`)
        : ""),
    el("td", { class: "reason" }, f.flagged.basis === "recall" || f.flagged.basis === "failed"
      ? [f.flagged.brand, f.flagged.product, f.flagged.model].filter((x) => x).join(" ")
      : f.reason || f.flagged.title),
    el("td", {}, f.matched.map((m) => MATCHED[m] || m).join("、")),
    el("td", { title: f.summary }, el("span", { class: `action action-${f.action}` }, "通报平台"), ` ${f.notify}`,
      (f.jurisdictions || []).length
        ? el("div", { class: "muted" }, `属地：${f.jurisdictions.map((j) => `${j.province}${j.city || ""}`).join("、")} `,
          // the packages per jurisdiction, as an alert's
          el("a", { class: "print", href: findingPackage(f, "print"), target: "_blank" }, "打印通报"), " ",
          el("a", { href: findingPackage(f, "csv") }, "CSV"))
        : ""))));
  $("#onsale-empty").hidden = page.findings.length > 0;
  pager($("#onsale-pager"), page.total, onsaleState.offset, ONSALE_PAGE, (o) => { onsaleState.offset = o; loadOnsale(); });
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
  // Products no category rule knows yet: a new kind of product surfacing shows here first.
  const nouns = s.unclassified || [];
  $("#stats-unclassified").replaceChildren(nouns.length === 0
    ? el("p", { class: "muted" }, "无未归类产品")
    : el("table", { class: "grid" },
      el("thead", {}, el("tr", {}, el("th", {}, "产品"), el("th", {}, "信号"), el("th", {}, "文档"))),
      el("tbody", {}, nouns.map((p) => el("tr", {}, el("td", {}, p.product),
        el("td", { class: "num" }, p.signals), el("td", { class: "num" }, p.documents))))));
  // Day × category table, newest day first.
  const cats = s.by_category.slice(0, 8).map(([c]) => c);
  const days = new Map();
  for (const d of s.by_day) {
    if (!days.has(d.day)) days.set(d.day, {});
    days.get(d.day)[d.category] = d.signals;
  }
  renderTrends($("#stats-trends"), s.by_day, cats);
  const order = [...days.keys()].sort().reverse().slice(0, 60);
  $("#stats-days").replaceChildren(el("table", { class: "grid" },
    el("thead", {}, el("tr", {}, el("th", {}, "日期"), cats.map((c) => el("th", {}, c)))),
    el("tbody", {}, order.map((day) => el("tr", {}, el("td", {}, day),
      cats.map((c) => el("td", { class: (days.get(day)[c] || 0) > 0 ? "num hot" : "num" }, days.get(day)[c] || 0)))))));
}

// ------------------------------------------------------------------ trend charts (inline SVG)

const SVG_NS = "http://www.w3.org/2000/svg";
function svg(tag, attrs, ...children) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function dayIndex(day) {
  return Math.round(Date.parse(`${day}T00:00:00Z`) / 86400000);
}

// One small chart per category: signals per day over the whole span, with the peak labelled.
function renderTrends(container, byDay, cats) {
  container.replaceChildren();
  if (byDay.length === 0) { container.append(el("p", { class: "muted" }, "暂无数据。")); return; }
  const first = Math.min(...byDay.map((d) => dayIndex(d.day)));
  const last = Math.max(...byDay.map((d) => dayIndex(d.day)));
  const span = Math.max(1, last - first);
  const W = 320; const H = 90; const PAD = 18;
  for (const cat of cats) {
    const pts = new Map();
    for (const d of byDay) if (d.category === cat) pts.set(dayIndex(d.day), d.signals);
    const max = Math.max(1, ...pts.values());
    const xy = [];
    for (let i = first; i <= last; i++) {
      const x = PAD + ((i - first) / span) * (W - 2 * PAD);
      const y = H - PAD - ((pts.get(i) || 0) / max) * (H - 2 * PAD);
      xy.push(`${x.toFixed(1)},${y.toFixed(1)}`);
    }
    const area = `${PAD},${H - PAD} ${xy.join(" ")} ${W - PAD},${H - PAD}`;
    const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "trend", role: "img", "aria-label": `${cat} 每日信号趋势` },
      svg("title", {}, `${cat}：每日信号数，峰值 ${max}`),
      svg("line", { x1: PAD, y1: H - PAD, x2: W - PAD, y2: H - PAD, class: "axis" }),
      svg("polygon", { points: area, class: "trend-area" }),
      svg("polyline", { points: xy.join(" "), class: "trend-line" }),
      svg("text", { x: PAD, y: H - 4, class: "tick" }, new Date(first * 86400000).toISOString().slice(0, 10)),
      svg("text", { x: W - PAD, y: H - 4, class: "tick end" }, new Date(last * 86400000).toISOString().slice(0, 10)),
      svg("text", { x: W - PAD, y: 12, class: "tick end" }, `峰值 ${max}`));
    container.append(el("figure", { class: "trend-fig", "data-category": cat }, el("figcaption", {}, cat), chart));
  }
}

// ------------------------------------------------------------------ province tiles

// A tile map: each province at its rough place on the map (column, row).
const TILES = [
  ["黑龙江省", 7, 0], ["新疆维吾尔自治区", 1, 1], ["内蒙古自治区", 4, 1], ["北京市", 5, 1], ["辽宁省", 6, 1], ["吉林省", 7, 1],
  ["青海省", 2, 2], ["甘肃省", 3, 2], ["山西省", 4, 2], ["河北省", 5, 2], ["天津市", 6, 2],
  ["西藏自治区", 1, 3], ["宁夏回族自治区", 3, 3], ["陕西省", 4, 3], ["河南省", 5, 3], ["山东省", 6, 3],
  ["四川省", 2, 4], ["重庆市", 3, 4], ["湖北省", 4, 4], ["安徽省", 5, 4], ["江苏省", 6, 4], ["上海市", 7, 4],
  ["云南省", 2, 5], ["贵州省", 3, 5], ["湖南省", 4, 5], ["江西省", 5, 5], ["浙江省", 6, 5],
  ["广西壮族自治区", 3, 6], ["广东省", 4, 6], ["福建省", 5, 6], ["台湾省", 6, 6],
  ["海南省", 3, 7], ["澳门特别行政区", 4, 7], ["香港特别行政区", 5, 7],
];

function shortName(p) {
  return p.replace(/(维吾尔|壮族|回族)?自治区$|特别行政区$|省$|市$/, "");
}

async function loadProvinces() {
  let page; let stats;
  try {
    [page, stats] = await Promise.all([api("/api/alerts", { limit: 500 }), api("/api/stats")]);
  } catch (e) {
    toast(`省份视图加载失败：${e.message}`);
    return;
  }
  const risk = new Map();
  const count = new Map();
  const nationwide = [];
  for (const a of page.alerts) {
    if (a.action === "dismiss") continue;
    for (const r of a.regions) {
      if (r === "全国") { nationwide.push(a); continue; }
      risk.set(r, Math.max(risk.get(r) || 0, a.level));
      count.set(r, (count.get(r) || 0) + 1);
    }
  }
  const signals = new Map(stats.by_province);
  const grid = $("#province-grid");
  grid.replaceChildren(...TILES.map(([name, col, row]) => {
    const level = risk.get(name) || 0;
    const tile = el("button", { type: "button", class: `tile risk-${level}`, "data-province": name, "data-level": String(level),
      title: `${name}：最高风险等级 ${level || "无"}，预警 ${count.get(name) || 0} 条，信号 ${signals.get(name) || 0} 条` },
      el("span", { class: "tile-name" }, shortName(name)),
      el("span", { class: "tile-n" }, count.get(name) ? `${count.get(name)} 警` : (signals.get(name) ? `${signals.get(name)} 信号` : "")));
    tile.style.gridColumn = String(col + 1);
    tile.style.gridRow = String(row + 1);
    tile.addEventListener("click", () => {
      $("#alert-filters").region.value = name;
      alertState.offset = 0;
      location.hash = "#/alerts";
      loadAlerts();
    });
    return tile;
  }));
  $("#province-nationwide").textContent = nationwide.length
    ? `全国性预警 ${nationwide.length} 条：${[...new Set(nationwide.map((a) => a.category))].join("、")}`
    : "";
}

// ------------------------------------------------------------------ live updates (SSE)

let liveReload = null;
function startLive() {
  if (!window.EventSource) return;
  const url = token() ? `/api/alerts/stream?access_token=${encodeURIComponent(token())}` : "/api/alerts/stream";
  const es = new EventSource(url);
  const dot = $("#live");
  es.addEventListener("ready", () => { dot.className = "live on"; dot.title = "实时更新已连接 live"; });
  es.addEventListener("alert", (ev) => {
    let c = null;
    try { c = JSON.parse(ev.data); } catch (_) { return; }
    toast(`预警${CHANGES[c.change] || c.change}：${c.note || c.alert_id}`);
    // Many changes arrive together after a scoring run: reload once.
    clearTimeout(liveReload);
    liveReload = setTimeout(() => {
      loadAlerts();
      if (alertState.selected) showAlert(alertState.selected);
      if (!$("#view-provinces").hidden) loadProvinces();
    }, 500);
  });
  es.onerror = () => { dot.className = "live off"; dot.title = "实时更新断开，正在重连 reconnecting"; };
}

// ------------------------------------------------------------------ watchlists

function watchTargets(r) {
  const out = [];
  if (r.webhook) out.push(`webhook ${r.webhook.url}`);
  if (r.email) out.push(`邮件 ${r.email}`);
  return out.join("；");
}

function watchWhat(r) {
  const parts = [];
  for (const [k, label] of [["brand", "品牌"], ["model", "型号"], ["enterprise", "企业"], ["query", "检索"], ["category", "品类"], ["province", "地区"]]) {
    if (r[k]) parts.push(`${label} ${r[k]}`);
  }
  if (r.min_level) parts.push(`≥${r.min_level}级`);
  return (r.name ? `${r.name}：` : "") + parts.join(" · ");
}

async function loadWatch() {
  let body;
  try {
    body = await api("/api/watch-rules");
  } catch (e) {
    toast(`关注规则加载失败：${e.message}`);
    return;
  }
  $("#watch-rows").replaceChildren(...body.rules.map((r) => {
    const del = el("button", { type: "button", class: "watch-remove" }, "删除");
    del.addEventListener("click", async () => {
      try {
        await api(`/api/watch-rules/${encodeURIComponent(r.id)}`, null, { method: "DELETE" });
        toast(`已删除规则 ${r.id}`);
        loadWatch();
      } catch (e) {
        toast(`删除失败（需操作员令牌 operator token）：${e.message}`);
      }
    });
    return el("tr", { "data-rule": r.id },
      el("td", {}, r.id), el("td", {}, r.owner), el("td", { class: "strong" }, watchWhat(r)),
      el("td", {}, r.mode === "digest" ? "每日汇总" : "即时"), el("td", {}, watchTargets(r)), el("td", {}, del));
  }));
  $("#watch-empty").hidden = body.rules.length > 0;
}

async function addWatch(ev) {
  ev.preventDefault();
  const v = formValues($("#watch-form"));
  const rule = {};
  for (const [k, x] of Object.entries(v)) if (x !== "") rule[k] = k === "min_level" ? Number(x) : x;
  try {
    const made = await api("/api/watch-rules", null, { method: "POST", body: JSON.stringify(rule) });
    const w = made.rule.webhook;
    $("#watch-secret").textContent = w ? `规则 ${made.rule.id} 的签名密钥（仅显示一次）：${w.secret}` : `已添加规则 ${made.rule.id}`;
    toast(`已添加关注规则 ${made.rule.id}`);
    $("#watch-form").reset();
    loadWatch();
  } catch (e) {
    toast(`添加失败：${e.message}`);
  }
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
  for (const [pattern, handle] of ROUTES) {
    const hit = h.match(pattern);
    if (hit) { handle(hit); return; }
  }
  const view = (h.match(/^#\/(\w+)/) || [])[1] || "alerts";
  if (VIEWS[view]) { show(view); VIEWS[view](); return; }
  show(["alerts", "search", "sampling", "onsale", "stats", "provinces", "watch"].includes(view) ? view : "alerts");
  if (view === "watch") loadWatch();
  if (view === "sampling") loadSampling();
  if (view === "onsale") loadOnsale();
  if (view === "provinces") loadProvinces();
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
  $("#onsale-filters").addEventListener("submit", (ev) => { ev.preventDefault(); onsaleState.offset = 0; loadOnsale(); });
  $("#onsale-platform").addEventListener("change", () => { onsaleState.offset = 0; loadOnsale(); });
  $("#onsale-basis").addEventListener("change", () => { onsaleState.offset = 0; loadOnsale(); });
  $("#watch-form").addEventListener("submit", addWatch);
  window.addEventListener("hashchange", route);
  const tokenInput = $("#token");
  tokenInput.value = token();
  $("#token-box").addEventListener("submit", (ev) => {
    ev.preventDefault();
    try { localStorage.setItem(TOKEN_KEY, tokenInput.value.trim()); } catch (_) { /* private mode */ }
    $("#token-box").classList.remove("need");
    location.reload();
  });
  loadAlerts();
  startLive();
  // A slow refresh as well, in case the stream is blocked by a proxy.
  setInterval(() => { if (!document.hidden) loadAlerts(); }, REFRESH_MS * 4);
  route();
}

document.addEventListener("DOMContentLoaded", init);
