// The analysts' loop in the dashboard: the cases view, triage of alerts and cases by a named
// user, and labels on documents. Loaded after app.js; plugs into its VIEWS, ROUTES,
// ALERT_EXTRAS and DOC_EXTRAS before init runs.

const TRIAGE = { new: "待处理", review: "审核中", confirmed: "已确认", dismissed: "已驳回", closed: "已关闭" };
const CHANNELS = { complaint: "投诉", regulator: "监管", platform: "电商", media: "媒体", standard: "标准" };
const LABELS = {
  "not-relevant": "无关 not relevant", "wrong-category": "品类错误 wrong category",
  "wrong-hazard": "危害错误 wrong hazard", "wrong-region": "地区错误 wrong region",
  "missed-signal": "漏报信号 missed signal",
};

let reviewOptions = null;
async function loadOptions() {
  if (!reviewOptions) reviewOptions = await api("/api/review/options");
  return reviewOptions;
}

function when(at) {
  return at ? new Date(at).toLocaleString("zh-CN") : "";
}

// ------------------------------------------------------------------ triage

// The triage panel of an alert or a case: its state, who moved it and why, and the moves allowed.
function triagePanel(subject, id, onChange) {
  const box = el("div", { class: "triage", "data-subject": subject });
  const paint = async () => {
    let t;
    let opts;
    try {
      [t, opts] = await Promise.all([
        api(`/api/${subject}s/${encodeURIComponent(id)}/triage`), loadOptions()]);
    } catch (e) {
      box.replaceChildren(el("p", { class: "error" }, `无法加载处置状态：${e.message}`));
      return;
    }
    const state = t.triage.state;
    const next = (opts.states.find((s) => s.state === state) || { next: [] }).next;
    const reason = el("select", { name: "reason", class: "triage-reason" },
      el("option", { value: "" }, "驳回理由 reason…"),
      opts.dismiss_reasons.map((r) => el("option", { value: r.key }, r.label)));
    const free = el("input", { name: "reason-text", placeholder: "或填写理由 free text", size: "16" });
    const buttons = next.map((to) => el("button", {
      type: "button", class: "triage-move", "data-to": to,
      onclick: async () => {
        const why = free.value.trim() || reason.value;
        try {
          await api(`/api/${subject}s/${encodeURIComponent(id)}/triage`, null,
            { method: "POST", body: JSON.stringify({ to, reason: why }) });
          toast(`已改为 ${TRIAGE[to] || to}`);
          paint();
          if (onChange) onChange();
        } catch (e) {
          toast(`处置失败（需分析员令牌 analyst token）：${e.message}`);
        }
      },
    }, `${TRIAGE[to] || to} → ${to}`));
    const history = t.history.length === 0 ? el("p", { class: "muted" }, "尚无处置记录。")
      : el("table", { class: "grid triage-history" },
        el("thead", {}, el("tr", {}, el("th", {}, "时间"), el("th", {}, "人员 Who"), el("th", {}, "变更"), el("th", {}, "理由 Reason"))),
        el("tbody", {}, [...t.history].reverse().map((h) => el("tr", {},
          el("td", {}, when(h.at)), el("td", { class: "who" }, h.by),
          el("td", {}, `${TRIAGE[h.from] || h.from} → ${TRIAGE[h.to] || h.to}`),
          el("td", {}, (opts.dismiss_reasons.find((r) => r.key === h.reason) || {}).label || h.reason)))));
    box.replaceChildren(
      el("h3", {}, "处置 Triage"),
      el("p", {}, el("span", { class: `tag triage-state triage-${state}` }, `${TRIAGE[state] || state} ${state}`),
        t.triage.by ? ` ${t.triage.by} · ${when(t.triage.at)}` : ""),
      next.includes("dismissed") ? el("div", { class: "triage-why" }, reason, free) : null,
      el("div", { class: "triage-moves" }, buttons),
      history);
  };
  paint();
  return box;
}

ALERT_EXTRAS.push((box, alert) => {
  box.append(triagePanel("alert", alert.id, null));
});

// ------------------------------------------------------------------ labels

// A "label" button beside every document; it opens a small form.
DOC_EXTRAS.push((doc) => {
  if (!doc.id || doc.found === false) return null;
  const wrap = el("div", { class: "label-box" });
  const open = el("button", { type: "button", class: "label-open link" }, "标注 Label");
  open.addEventListener("click", () => {
    const kind = el("select", { name: "kind" }, Object.entries(LABELS).map(([k, v]) => el("option", { value: k }, v)));
    const value = el("input", { name: "value", placeholder: "正确的品类/危害/省份", size: "14" });
    const note = el("input", { name: "note", placeholder: "说明（可选）", size: "16" });
    const send = el("button", { type: "button", class: "label-send" }, "提交");
    send.addEventListener("click", async () => {
      try {
        const l = await api(`/api/documents/${encodeURIComponent(doc.id)}/labels`, null, {
          method: "POST", body: JSON.stringify({ kind: kind.value, value: value.value.trim(), note: note.value.trim() }),
        });
        wrap.replaceChildren(el("span", { class: "tag label-done" }, `已标注：${LABELS[l.kind] || l.kind}${l.value ? ` → ${l.value}` : ""}（${l.by}）`));
      } catch (e) {
        toast(`标注失败（需分析员令牌 analyst token）：${e.message}`);
      }
    });
    wrap.replaceChildren(kind, value, note, send);
  });
  wrap.append(open);
  return wrap;
});

// ------------------------------------------------------------------ cases

async function loadCases() {
  const rows = $("#case-rows");
  let r;
  try {
    r = await api("/api/cases");
  } catch (e) {
    rows.replaceChildren(el("tr", {}, el("td", { colspan: "8", class: "error" }, e.message)));
    return;
  }
  $("#cases-empty").hidden = r.cases.length > 0;
  rows.replaceChildren(...r.cases.map((c) => {
    const tr = el("tr", { tabindex: "0", "data-id": c.id },
      el("td", {}, c.category), el("td", {}, c.hazard), el("td", {}, c.province),
      el("td", {}, c.party || "—"),
      el("td", {}, Object.entries(c.channels).map(([ch, n]) => `${CHANNELS[ch] || ch}×${n}`).join(" ")),
      el("td", { class: "num" }, c.documents), el("td", { class: "num" }, c.alerts.length),
      el("td", {}, `${c.first_day} – ${c.last_day}`),
      el("td", {}, TRIAGE[c.triage] || c.triage));
    const go = () => { location.hash = `#/case/${encodeURIComponent(c.id)}`; };
    tr.addEventListener("click", go);
    tr.addEventListener("keydown", (ev) => { if (ev.key === "Enter") go(); });
    return tr;
  }));
}

async function showCase(id) {
  const box = $("#case-detail");
  box.replaceChildren(el("p", { class: "muted" }, "加载中…"));
  let d;
  try {
    d = await api(`/api/cases/${encodeURIComponent(id)}`);
  } catch (e) {
    box.replaceChildren(el("p", { class: "error" }, `无法加载案件：${e.message}`));
    return;
  }
  const c = d.case;
  const docs = new Map(d.documents.map((x) => [x.id, x]));
  const timeline = el("table", { class: "grid case-timeline" },
    el("thead", {}, el("tr", {}, el("th", {}, "日期"), el("th", {}, "渠道 Channel"), el("th", {}, "类型"), el("th", {}, "文档"), el("th", {}, "来源"))),
    el("tbody", {}, c.timeline.map((e) => {
      const doc = docs.get(e.doc_id) || {};
      const href = safeHref(doc.url);
      // attached: the problem's document that no alert cites (same category, hazard family, place, days)
      return el("tr", { "data-channel": e.channel, class: e.attached ? "attached" : "" },
        el("td", {}, e.day), el("td", {}, CHANNELS[e.channel] || e.channel), el("td", {}, KINDS[e.kind] || e.kind),
        el("td", {}, href ? el("a", { href, target: "_blank", rel: "noopener noreferrer" }, doc.title || doc.url) : (doc.title || e.doc_id)),
        el("td", {}, e.source, e.attached ? el("span", { class: "muted", title: "未被预警引用、按品类、危害、地区和日期关联的文档" }, " · 关联") : ""));
    })));
  const alerts = d.alerts.length === 0 ? el("p", { class: "muted" }, "此案件暂无预警。")
    : el("ul", { class: "case-alerts" }, d.alerts.map((a) => el("li", {},
      levelBadge(a.level), actionBadge(a.action), " ",
      el("a", { href: `#/alert/${encodeURIComponent(a.id)}` }, a.summary || a.category))));
  box.replaceChildren(
    el("div", { class: "detail-head" }, el("h2", {}, `${c.category} · ${c.hazard} · ${c.province}${c.party ? ` · ${c.party}` : ""}`)),
    el("div", { class: "facts" },
      kv("期间 Period", `${c.first_day} – ${c.last_day}`),
      kv("渠道 Channels", Object.entries(c.channels).map(([ch, n]) => `${CHANNELS[ch] || ch} ${n}`)),
      kv("省份 Provinces", (c.provinces || []).join("、") || c.province),
      kv("文档 Documents", `${c.timeline.length} 篇（关联 ${c.timeline.filter((e) => e.attached).length} 篇）`),
      kv("预警 Alerts", `${c.alerts.length} 条`)),
    triagePanel("case", c.id, loadCases),
    el("h3", {}, `预警 Alerts（${d.alerts.length}）`), alerts,
    el("h3", {}, `时间线 Timeline（${c.timeline.length}）`), timeline,
    el("h3", {}, "证据文档 Documents"), renderEvidence(d.documents),
    el("h3", {}, "可关联的文档 Documents to attach"), attachBox(c),
    el("h3", {}, `仍在售 On sale（${d.onsale.length}）`),
    d.onsale.length === 0 ? el("p", { class: "muted" }, "无。") : el("ul", { class: "case-onsale" }, d.onsale.map((f) => {
      const href = safeHref(f.listing.url);
      return el("li", {}, href ? el("a", { href, target: "_blank", rel: "noopener noreferrer" }, f.listing.title || f.listing.url) : f.listing.title,
        ` · ${f.listing.platform} · ${f.listing.shop} · ${f.reason || f.summary}`);
    })),
    el("h3", {}, `抽样建议 Sampling（${d.sampling_requests.length}）`),
    d.sampling_requests.length ? d.sampling_requests.map(renderSampling) : el("p", { class: "muted" }, "无。"));
}

// Documents of the case's category and days that it does not hold (they raised no alert of their
// own): an analyst attaches one that belongs to the problem; it stays on the case from then on.
function attachBox(c) {
  const box = el("div", { class: "case-attach" }, el("p", { class: "muted" }, "加载中…"));
  const held = new Set(c.timeline.map((e) => e.doc_id));
  api("/api/search", { category: c.category, since: c.first_day, until: c.last_day, sort: "date", limit: 20 })
    .then((r) => {
      const rows = (r.hits || []).filter((h) => !held.has(h.id)).slice(0, 10);
      if (rows.length === 0) {
        box.replaceChildren(el("p", { class: "muted" }, "无。"));
        return;
      }
      box.replaceChildren(el("ul", {}, rows.map((h) => {
        const go = el("button", { type: "button", class: "attach-doc", "data-doc": h.id }, "关联 Attach");
        go.addEventListener("click", async () => {
          go.disabled = true;
          try {
            await api(`/api/cases/${encodeURIComponent(c.id)}/documents`, null,
              { method: "POST", body: JSON.stringify({ doc_id: h.id }) });
            showCase(c.id);
            loadCases();
          } catch (e) {
            go.disabled = false;
            go.after(el("span", { class: "error" }, ` ${e.message}`));
          }
        });
        return el("li", {}, go, " ", h.title || h.id, el("span", { class: "muted" }, ` · ${KINDS[h.kind] || h.kind} · ${(h.published || "").slice(0, 10)}`));
      })));
    })
    .catch((e) => box.replaceChildren(el("p", { class: "error" }, e.message)));
  return box;
}

VIEWS.cases = () => { loadCases(); };
ROUTES.push([/^#\/case\/(.+)$/, (m) => {
  show("cases");
  loadCases();
  showCase(decodeURIComponent(m[1]));
}]);

// Who the token belongs to, beside the token box.
async function showWho() {
  try {
    const me = await api("/api/me");
    $("#whoami").textContent = `${me.name} · ${me.role}`;
  } catch (_) {
    $("#whoami").textContent = "";
  }
}
document.addEventListener("DOMContentLoaded", showWho);
