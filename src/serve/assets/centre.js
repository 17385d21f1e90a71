// What the monitoring centre hands on and publishes (issue 47), in the dashboard: inspection
// records, parties with their history (repeat offenders first), risk warnings and consumer tips
// (draft from an alert, edit, approve by a named user) and the quarter's risk list on the Stats
// page. Loaded after app.js and review.js; plugs into their VIEWS, ROUTES and ALERT_EXTRAS.
// Everything from the server goes into the page as text (el(), textContent).

const PARTY_KINDS = { enterprise: "生产企业", brand: "品牌", shop: "店铺" };
const EVENT_NAMES = {
  "failed-inspection": "抽查不合格", recall: "召回", complaint: "投诉", news: "报道", notice: "通告",
  alert: "预警", "on-sale": "仍在售", "sampling-failed": "抽样不合格",
};
const WARNING_KINDS = { warning: "风险警示", tip: "消费提示" };
const RISK_TRENDS = { rising: "上升", falling: "下降", steady: "持平", new: "新出现" };

function localTime(at) {
  return at ? new Date(at).toLocaleString("zh-CN") : "";
}

// A link that carries the reader's token, for downloads the browser makes without our headers.
function withToken(path, params) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v) qs.set(k, v);
  if (token()) qs.set("access_token", token());
  return qs.toString() ? `${path}?${qs}` : path;
}

// ------------------------------------------------------------------ inspection records

function recordParties(r) {
  return r.parties.map((p) => {
    const place = [p.province, p.city].filter(Boolean).join("");
    return `${p.name}${place ? `（${place}）` : ""}`;
  });
}

// The words a record is found by: its product, category, parties, items and regulator. (The
// API writes a record's fields beside its document's: one flat object.)
function recordText(r) {
  return [r.product, r.category, r.regulator, r.title, ...r.parties.map((p) => p.name),
    ...r.failed_items.map((i) => `${i.item} ${i.hazard}`)].filter(Boolean).join(" ");
}

async function loadInspections() {
  const v = formValues($("#inspection-filters"));
  const params = { category: v.category, since: v.since, until: v.until };
  $("#inspections-csv").href = withToken("/api/inspections", { ...params, format: "csv" });
  let page;
  try {
    page = await api("/api/inspections", { ...params, limit: 1000 });
  } catch (e) {
    toast(`抽查记录加载失败：${e.message}`);
    return;
  }
  // The text box narrows the page the filters fetched; every word must match somewhere.
  const words = v.q.split(/\s+/).filter(Boolean);
  const shown = page.records.filter((s) => {
    const text = recordText(s);
    return words.every((w) => text.includes(w));
  });
  $("#inspection-rows").replaceChildren(...shown.map((r) => {
    const href = safeHref(r.url);
    return el("tr", { "data-doc": r.doc_id, class: (r.failed || 0) > 0 ? "fail" : null },
      el("td", {}, r.date || ""),
      el("td", { class: "strong" }, r.product || "（多种产品合计）"),
      el("td", {}, r.category || "—"),
      el("td", { class: "num" }, r.sampled === null ? "—" : r.sampled),
      el("td", { class: "num" }, r.failed === null ? "—" : r.failed),
      el("td", {}, r.failed_items.map((i) => `${i.item}（${i.hazard}）`).join("、")),
      el("td", {}, recordParties(r).join("；")),
      el("td", {}, r.regulator || ""),
      el("td", {}, href ? el("a", { href, target: "_blank", rel: "noopener noreferrer" }, r.title || r.url) : r.title));
  }));
  $("#inspections-empty").hidden = shown.length > 0;
  const rate = page.failure_rate === null ? "" : `，不合格率 ${(page.failure_rate * 100).toFixed(1)}%`;
  $("#inspections-summary").textContent = `${shown.length} / ${page.total} 条记录；写明批次的记录共抽查 ${page.sampled} 批、不合格 ${page.failed} 批${rate}`;
}

// ------------------------------------------------------------------ parties

const partyState = { list: [] };

function partyHref(p) {
  return `#/party/${encodeURIComponent(p.kind)}/${encodeURIComponent(p.key)}`;
}

function lastDay(p) {
  return p.events.map((e) => e.day).filter(Boolean).sort().pop() || "";
}

// A repeat match's evidence as "day 事件 title", from the party's own events; in the list a
// title is cut at `cut` characters (a listing's title runs long), the party's page shows it whole.
function evidenceLines(p, m, cut) {
  const byId = new Map(p.events.map((e) => [e.id, e]));
  const short = (t) => (cut && t.length > cut ? `${t.slice(0, cut)}…` : t);
  return m.evidence.map((id) => {
    const e = byId.get(id);
    return e ? `${e.day || "日期不详"} ${EVENT_NAMES[e.event] || e.event} ${short(e.title || id)}` : id;
  });
}

async function loadParties() {
  const v = formValues($("#party-filters"));
  let page;
  try {
    page = await api("/api/parties", { kind: v.kind, q: v.q, repeat: v.repeat ? "true" : "" });
  } catch (e) {
    toast(`当事人加载失败：${e.message}`);
    return;
  }
  partyState.list = page.parties;
  $("#party-rows").replaceChildren(...page.parties.map((p) => {
    const repeat = p.repeat || [];
    const tr = el("tr", { tabindex: "0", "data-kind": p.kind, "data-key": p.key, class: repeat.length ? "repeat" : null },
      el("td", {}, PARTY_KINDS[p.kind] || p.kind),
      el("td", { class: "strong" }, p.key, p.names.length > 1 ? el("div", { class: "muted" }, `又作 ${p.names.filter((n) => n !== p.key).join("、")}`) : null),
      el("td", { class: "num" }, p.events.length),
      el("td", {}, lastDay(p)),
      el("td", {}, repeat.map((m) => el("div", { class: "repeat-match" },
        el("span", { class: "tag tag-repeat" }, m.rule),
        el("ul", { class: "repeat-evidence" }, evidenceLines(p, m, 40).map((line) => el("li", {}, line)))))));
    const go = () => { location.hash = partyHref(p); };
    tr.addEventListener("click", go);
    tr.addEventListener("keydown", (ev) => { if (ev.key === "Enter") go(); });
    return tr;
  }));
  $("#parties-empty").hidden = page.parties.length > 0;
  const repeats = page.parties.filter((p) => (p.repeat || []).length).length;
  $("#parties-summary").textContent = `共 ${page.total} 个，其中重复违法 ${repeats} 个`;
}

function eventLink(e) {
  // an alert event links to the alert's page, a document or finding to where it was read
  if (e.event === "alert") return el("a", { href: `#/alert/${encodeURIComponent(e.id)}` }, e.title || e.id);
  const href = safeHref(e.url);
  return href ? el("a", { href, target: "_blank", rel: "noopener noreferrer" }, e.title || e.url) : (e.title || e.id);
}

async function showParty(kind, key) {
  const box = $("#party-detail");
  box.replaceChildren(el("p", { class: "muted" }, "加载中…"));
  let p;
  try {
    p = await api(`/api/parties/${encodeURIComponent(kind)}/${encodeURIComponent(key)}`);
  } catch (e) {
    box.replaceChildren(el("p", { class: "error" }, `无法加载当事人：${e.message}`));
    return;
  }
  const repeat = p.repeat || [];
  const evidence = new Set(repeat.flatMap((m) => m.evidence));
  // oldest first: the history reads as it happened (events without a day last)
  box.replaceChildren(
    el("div", { class: "detail-head" }, el("span", { class: "tag" }, PARTY_KINDS[p.kind] || p.kind), el("h2", {}, p.key),
      repeat.length ? el("span", { class: "tag tag-repeat" }, "重复违法") : null),
    el("div", { class: "facts" },
      kv("名称写法 Names", p.names),
      kv("事件 Events", `${p.events.length} 件`),
      kv("最近 Last", lastDay(p))),
    repeat.length ? el("div", { class: "party-repeat" },
      el("h3", {}, "重复违法依据 Why a repeat offender"),
      el("ul", {}, repeat.map((m) => el("li", {}, el("b", {}, m.rule), "：", evidenceLines(p, m).join("；"))))) : null,
    el("h3", {}, `历史 History（${p.events.length}）`),
    el("table", { class: "grid party-timeline" },
      el("thead", {}, el("tr", {}, el("th", {}, "日期"), el("th", {}, "事件"), el("th", {}, "内容"))),
      el("tbody", {}, p.events.map((e) => el("tr", { "data-event": e.event, class: evidence.has(e.id) ? "evidence-event" : null },
        el("td", {}, e.day || "日期不详"), el("td", {}, EVENT_NAMES[e.event] || e.event), el("td", {}, eventLink(e)))))));
}

// ------------------------------------------------------------------ warnings and tips

async function loadWarnings() {
  let page;
  try {
    page = await api("/api/warnings", { status: "all" });
  } catch (e) {
    toast(`警示加载失败：${e.message}`);
    return;
  }
  const show = formValues($("#warning-filters")).show;
  const list = page.warnings.filter((w) => !show || (show === "published") === Boolean(w.approved_by));
  $("#warning-rows").replaceChildren(...list.map((w) => {
    const tr = el("tr", { tabindex: "0", "data-id": w.id },
      el("td", {}, WARNING_KINDS[w.kind] || w.kind),
      el("td", { class: "strong" }, w.title),
      el("td", {}, w.category),
      el("td", {}, w.hazards.join("、")),
      el("td", {}, warningState(w)),
      el("td", {}, `${w.drafted_by} · ${localTime(w.drafted_at)}`));
    const go = () => { location.hash = `#/warning/${encodeURIComponent(w.id)}`; };
    tr.addEventListener("click", go);
    tr.addEventListener("keydown", (ev) => { if (ev.key === "Enter") go(); });
    return tr;
  }));
  $("#warnings-empty").hidden = list.length > 0;
  const published = page.warnings.filter((w) => w.approved_by).length;
  $("#warnings-summary").textContent = `草稿 ${page.warnings.length - published} 篇，已发布 ${published} 篇`;
}

function warningState(w) {
  return w.approved_by
    ? el("span", { class: "tag tag-published" }, `已发布 · 审核 ${w.approved_by}`)
    : el("span", { class: "tag tag-draft" }, "草稿");
}

async function showWarning(id) {
  const box = $("#warning-detail");
  box.replaceChildren(el("p", { class: "muted" }, "加载中…"));
  let w;
  try {
    w = await api(`/api/warnings/${encodeURIComponent(id)}`);
  } catch (e) {
    box.replaceChildren(el("p", { class: "error" }, `无法加载：${e.message}`));
    return;
  }
  const title = el("input", { name: "title", maxlength: "200" });
  title.value = w.title;
  const body = el("textarea", { name: "body", maxlength: "5000" });
  body.value = w.body;
  const save = el("button", { type: "button", class: "warning-save" }, "保存修改 Save");
  const approve = el("button", { type: "button", class: "warning-approve" }, "审核发布 Approve");
  const note = el("span", { class: "muted warning-note" });
  save.addEventListener("click", async () => {
    try {
      await api(`/api/warnings/${encodeURIComponent(w.id)}`, null,
        { method: "PUT", body: JSON.stringify({ title: title.value, body: body.value }) });
      toast("已保存");
      showWarning(w.id);
      loadWarnings();
    } catch (e) {
      note.textContent = `保存失败（需分析员令牌）：${e.message}`;
    }
  });
  approve.addEventListener("click", async () => {
    try {
      const done = await api(`/api/warnings/${encodeURIComponent(w.id)}/approve`, null, { method: "POST" });
      toast(`已由 ${done.approved_by} 审核发布`);
      showWarning(w.id);
      loadWarnings();
    } catch (e) {
      // the server names what is missing: a named user's token, not a configured one
      note.textContent = `发布失败：${e.message}`;
    }
  });
  box.replaceChildren(
    el("div", { class: "detail-head" }, el("span", { class: "tag" }, WARNING_KINDS[w.kind] || w.kind), warningState(w),
      el("h2", {}, w.title)),
    el("div", { class: "facts" },
      kv("品类 Category", w.category),
      kv("危害 Hazards", w.hazards),
      kv("预警 Alert", el("a", { href: `#/alert/${encodeURIComponent(w.alert_id)}` }, w.alert_id)),
      kv("起草 Drafted", `${w.drafted_by} · ${localTime(w.drafted_at)}`),
      kv("修改 Edited", w.edited_by ? `${w.edited_by} · ${localTime(w.edited_at)}` : ""),
      kv("审核 Approved", w.approved_by ? `${w.approved_by} · ${localTime(w.approved_at)}` : "")),
    el("div", { class: "warning-edit" },
      el("label", {}, "标题 Title", title),
      el("label", {}, "正文 Text", body),
      el("div", { class: "moves" }, save, approve, note)));
}

// On an alert's page: draft its warning or tip (or open the one it has).
ALERT_EXTRAS.push((box, alert) => {
  const btn = el("button", { type: "button", class: "warning-draft" }, "起草警示 Draft a warning");
  btn.addEventListener("click", async () => {
    try {
      const w = await api(`/api/alerts/${encodeURIComponent(alert.id)}/warning`, null, { method: "POST" });
      location.hash = `#/warning/${encodeURIComponent(w.id)}`;
    } catch (e) {
      toast(`起草失败（需分析员令牌 analyst token）：${e.message}`);
    }
  });
  box.append(el("div", { class: "warning-box" }, el("h3", {}, "风险警示 / 消费提示"), btn));
});

// ------------------------------------------------------------------ the risk list (Stats)

async function loadRiskList() {
  const until = formValues($("#stats-form")).until;
  $("#risk-csv").href = withToken("/api/risk-list", { until, format: "csv" });
  let list;
  try {
    list = await api("/api/risk-list", { until });
  } catch (e) {
    toast(`风险清单加载失败：${e.message}`);
    return;
  }
  $("#risk-quarter").textContent = list.quarter ? `${list.quarter}（${list.first} 至 ${list.last}）` : "";
  const box = $("#stats-risk");
  if (list.rows.length === 0) {
    box.replaceChildren(el("p", { class: "muted" }, "本季度暂无风险信息。"));
    return;
  }
  const pct = (r) => (r.failure_rate === null ? "—" : `${(r.failure_rate * 100).toFixed(1)}%`);
  box.replaceChildren(el("table", { class: "grid risk" },
    el("thead", {}, el("tr", {}, ["排名", "品类", "危害", "预警（最高级别）", "最高严重度", "风险信息（文档 / 投诉）",
      "每万件销量投诉", "不合格 / 抽查批次", "不合格率", "不合格项目记录", "趋势（上季度）"].map((h) => el("th", {}, h)))),
    el("tbody", {}, list.rows.slice(0, 30).map((r) => el("tr", { "data-category": r.category, "data-hazard": r.hazard },
      el("td", { class: "num" }, r.rank),
      el("td", { class: "strong" }, r.category),
      el("td", {}, r.hazard),
      el("td", {}, r.alerts ? [`${r.alerts} `, levelBadge(r.max_level)] : "0"),
      el("td", { class: "num" }, r.max_severity),
      el("td", { class: "num" }, `${r.signals}（${r.documents} / ${r.complaints}）`),
      // empty when no listing of the quarter gives a sales count: never a guess
      el("td", { class: "num", title: r.units_sold === null ? "" : `销量 ${r.units_sold}` },
        r.complaints_per_10k === null ? "—" : r.complaints_per_10k.toFixed(2)),
      el("td", { class: "num" }, r.batches_sampled ? `${r.batches_failed} / ${r.batches_sampled}` : "—"),
      el("td", { class: "num" }, pct(r)),
      el("td", { class: "num" }, r.failed_item_records),
      el("td", { class: `trend-${r.trend}` }, `${RISK_TRENDS[r.trend] || r.trend}（${r.previous_signals}）`))))),
  list.rows.length > 30 ? el("p", { class: "muted" }, `共 ${list.rows.length} 行，此处列前 30 行；导出 CSV 看全部。`) : "");
}

// ------------------------------------------------------------------ views and routes

VIEWS.inspections = () => { loadInspections(); };
VIEWS.parties = () => { loadParties(); };
VIEWS.warnings = () => { loadWarnings(); };
VIEWS.stats = () => { loadStats(); loadRiskList(); };
ROUTES.push([/^#\/party\/([^/]+)\/(.+)$/, (m) => {
  show("parties");
  loadParties();
  showParty(decodeURIComponent(m[1]), decodeURIComponent(m[2]));
}]);
ROUTES.push([/^#\/warning\/(.+)$/, (m) => {
  show("warnings");
  loadWarnings();
  showWarning(decodeURIComponent(m[1]));
}]);

document.addEventListener("DOMContentLoaded", () => {
  $("#inspection-filters").addEventListener("submit", (ev) => { ev.preventDefault(); loadInspections(); });
  $("#party-filters").addEventListener("submit", (ev) => { ev.preventDefault(); loadParties(); });
  $("#warning-filters").addEventListener("change", () => { loadWarnings(); });
  // the Stats form's day also picks the risk list's quarter
  $("#stats-form").addEventListener("submit", () => { loadRiskList(); });
});
