/* The sales dashboard: draws the embedded marts with plotly.js (inlined in the page, nothing is
   fetched), narrows every per-rep view to the rep picked in the filter, and, when served over
   http by `salesmetrics dashboard`, reloads itself when a new build is published. */
(function () {
  "use strict";
  performance.mark("dashboard-start");
  const D = JSON.parse(document.getElementById("dashboard-data").textContent);
  const IND = D.indicators;
  const NAMES = {};
  D.reps.id.forEach((id, i) => { NAMES[id] = D.reps.name[i] + (D.reps.archived[i] ? " (archived)" : ""); });
  const repName = (id) => (id == null ? "No owner" : NAMES[id] || "Owner " + id);
  const state = { rep: "" };

  /* ---- numbers: short on the page, exact on hover ---- */
  function compact(v) {
    const a = Math.abs(v);
    for (const [unit, size] of [["T", 1e12], ["B", 1e9], ["M", 1e6], ["K", 1e3]]) {
      if (a >= size * 0.9995) return (v / size).toFixed(1) + unit;
    }
    return a >= 100 || Number.isInteger(v) ? v.toFixed(0) : v.toFixed(1);
  }
  // One formatter each: toLocaleString with options builds a new one per call, and a page of a few
  // thousand table cells spent a quarter of its script time there.
  const MONEY = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const WHOLE = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
  const COUNT = new Intl.NumberFormat("en-US", { maximumFractionDigits: 4 });
  const FORMATS = {
    money: { short: compact, exact: (v) => MONEY.format(v), hover: ",.2f" },
    count: { short: (v) => (Math.abs(v) < 10000 ? WHOLE.format(Math.round(v)) : compact(v)),
             exact: (v) => COUNT.format(v), hover: ",.4~f" },
    pct: { short: (v) => (v * 100).toFixed(1) + "%", exact: (v) => (v * 100).toFixed(4) + "%", hover: ".2%" },
    days: { short: (v) => v.toFixed(1) + " d", exact: (v) => v.toFixed(4) + " days", hover: ".2f" },
    seconds: { short: (v) => Math.floor(v / 60) + "m " + String(Math.round(v % 60)).padStart(2, "0") + "s",
               exact: (v) => v.toFixed(2) + " s", hover: ".1f" },
    ratio: { short: (v) => v.toFixed(2), exact: (v) => v.toFixed(6), hover: ".3f" },
    times: { short: (v) => v.toFixed(2) + "×", exact: (v) => v.toFixed(6) + "×", hover: ".3f" },
  };
  const isNum = (v) => typeof v === "number" && isFinite(v);
  const short = (v, kind) => (isNum(v) ? FORMATS[kind].short(v) : "–");
  const exact = (v, kind) => (isNum(v) ? FORMATS[kind].exact(v) : "no value");

  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  const badge = (measure) => (IND[measure] ? `<span class="badge ${IND[measure]}">${IND[measure]}</span>` : "");
  const month = (iso) => (iso ? new Date(iso + "T00:00:00Z").toLocaleDateString("en-US", { month: "short", year: "numeric", timeZone: "UTC" }) : "");
  const $ = (id) => document.getElementById(id);

  function rows(cols) {
    const keys = Object.keys(cols);
    const n = keys.length ? cols[keys[0]].length : 0;
    const out = [];
    for (let i = 0; i < n; i++) { const r = {}; for (const k of keys) r[k] = cols[k][i]; out.push(r); }
    return out;
  }
  const pick = (list, key) => list.map((r) => r[key]);

  /* ---- building blocks ---- */
  function tile(measure, label, value, kind, sub) {
    const v = isNum(value) ? value : "";
    return `<div class="tile" data-measure="${measure}" data-value="${v}" title="${esc(label)}: ${esc(exact(value, kind))}">` +
      `<div class="tile-label"><span>${esc(label)}</span>${badge(measure)}</div>` +
      `<div class="tile-value">${short(value, kind)}</div><div class="tile-sub">${esc(sub || "")}</div></div>`;
  }

  function chartBox(id, title, measures) {
    return `<div class="chart"><h3>${esc(title)}${measures.map(badge).join("")}</h3><div class="plot" id="${id}"></div></div>`;
  }

  const BASE_LAYOUT = {
    margin: { l: 52, r: 12, t: 8, b: 36 }, font: { family: "system-ui, sans-serif", size: 11, color: "#1f2933" },
    paper_bgcolor: "#fff", plot_bgcolor: "#fff", hovermode: "x unified", showlegend: true,
    legend: { orientation: "h", y: -0.18, x: 0, font: { size: 10 } },
    xaxis: { gridcolor: "#f0f2f5" }, yaxis: { gridcolor: "#eceff3", zerolinecolor: "#ced4da" },
  };
  const CONFIG = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["select2d", "lasso2d"] };
  const AXIS_FORMAT = { money: {}, count: {}, pct: { tickformat: ".0%" }, days: {}, seconds: {}, ratio: {}, times: {} };

  function series(x, y, name, kind, extra) {
    return Object.assign({ x, y, name, type: "scatter", mode: "lines", line: { width: 2 },
                           hovertemplate: `%{y:${FORMATS[kind].hover}}`, connectgaps: false }, extra || {});
  }

  /* Charts are drawn when they come near the screen: a page of twenty charts opens as fast as its
     first screen. A chart already drawn is redrawn at once (plotly's react diff) when the rep changes. */
  const pending = new Map();
  const drawn = new Set();
  const observer = "IntersectionObserver" in window ? new IntersectionObserver((entries) => {
    for (const e of entries) if (e.isIntersecting) draw(e.target.id);
  }, { rootMargin: "300px 0px" }) : null;

  let plotlyLoaded = false;
  function draw(id) {
    const spec = pending.get(id);
    if (!spec || !plotlyLoaded) return;
    pending.delete(id);
    drawn.add(id);
    if (observer) observer.unobserve($(id));
    Plotly.react($(id), spec.traces, spec.layout, CONFIG);
  }

  /* plotly.js (its basic bundle, 1.2 MB) is evaluated after the first paint, so the figures and tables show at once
     and the charts follow. */
  function loadCharts() {
    const script = document.createElement("script");
    script.text = $("plotly-js").textContent;
    document.head.appendChild(script);
    plotlyLoaded = true;
    for (const id of [...pending.keys()]) {
      const el = $(id);
      if (!observer || nearScreen(el)) draw(id); else observer.observe(el);
    }
  }

  function nearScreen(el) {
    const r = el.getBoundingClientRect();
    return r.bottom > -300 && r.top < window.innerHeight + 300;
  }

  function plot(id, traces, kind, extra) {
    const layout = JSON.parse(JSON.stringify(BASE_LAYOUT));
    Object.assign(layout.yaxis, AXIS_FORMAT[kind]);
    if (extra && extra.xrange) layout.xaxis.range = extra.xrange;
    if (extra && extra.barmode) layout.barmode = extra.barmode;
    if (extra && extra.layout) Object.assign(layout, extra.layout);
    if (traces.length < 2) layout.showlegend = false;
    const el = $(id);
    if (extra && extra.height) el.style.height = extra.height + "px";
    pending.set(id, { traces, layout });
    if (!plotlyLoaded) return;  // drawn by loadCharts
    if (drawn.has(id) || !observer || nearScreen(el)) draw(id);
    else observer.observe(el);
  }

  function table(headers, body, rowClass) {
    const head = headers.map((h) => `<th class="${h.cls || ""}">${esc(h.label)}${h.measure ? badge(h.measure) : ""}</th>`).join("");
    const lines = body.map((r, i) => `<tr class="${rowClass ? rowClass(r, i) : ""}">` + headers.map((h) => {
      const v = h.get(r);
      if (!h.kind) return `<td class="name">${esc(v == null ? "–" : v)}</td>`;
      return `<td class="num" data-measure="${h.measure || ""}" data-value="${isNum(v) ? v : ""}" title="${esc(exact(v, h.kind))}">${short(v, h.kind)}</td>`;
    }).join("") + "</tr>").join("");
    return `<table><thead><tr>${head}</tr></thead><tbody>${lines || `<tr><td class="empty" colspan="${headers.length}">no rows</td></tr>`}</tbody></table>`;
  }

  const COLORS = { arr: "#5f3dc4", new: "#2f9e44", expansion: "#74b816", reactivation: "#1098ad", contraction: "#f08c00",
                   churn: "#e03131", lead: "#0b7285", lag: "#5f3dc4", grey: "#868e96" };

  /* ---- header ---- */
  function header() {
    const m = D.meta;
    $("facts").innerHTML = `as of <b>${esc(m.as_of)}</b> · reporting zone <b>${esc(m.timezone)}</b> · built ${esc(m.generated_at.replace("T", " ").slice(0, 16))} UTC`;
    const sync = rows(D.sync).map((r) => `<span title="${esc(r.mode)} sync">${esc(r.object)} ${esc((r.last_synced || "never").replace("T", " ").slice(0, 16))}</span>`);
    const q = rows(D.quarantine);
    const total = q.reduce((s, r) => s + r.records, 0);
    const detail = q.map((r) => `${r.object} ${r.records.toLocaleString("en-US")}`).join(", ");
    $("status").innerHTML = `<span>last synced (UTC):</span>${sync.join("") || "<span>never</span>"}` +
      `<span class="quarantine ${total ? "" : "none"}" id="quarantine" data-value="${total}">${total.toLocaleString("en-US")} records in quarantine${detail ? " (" + esc(detail) + ")" : ""}</span>`;
    const options = rows(D.reps).map((r) => `<option value="${esc(r.id)}">${esc(repName(r.id))}</option>`);
    $("rep-filter").innerHTML = `<option value="">All reps (team)</option>` + options.join("");
  }

  /* ---- 1. company health ---- */
  function health() {
    const h = rows(D.health);
    const last = h[h.length - 1] || {};
    const sub = month(last.month) + (D.months.current_is_partial ? " to date" : "");
    $("health-tiles").innerHTML = [
      tile("arr", "ARR", last.arr, "money", sub), tile("customers", "Customers", last.customers, "count", sub),
      tile("new_arr", "New ARR", last.new_arr, "money", sub), tile("churned_arr", "Churned ARR", last.churned_arr, "money", sub),
      tile("logo_churn_rate", "Logo churn", last.logo_churn_rate, "pct", sub), tile("grr", "GRR", last.grr, "pct", sub),
      tile("nrr", "NRR", last.nrr, "pct", sub)].join("");
    const x = pick(h, "month");
    plot("plot-arr", [series(x, pick(h, "arr"), "ARR", "money", { line: { width: 2.5, color: COLORS.arr }, fill: "tozeroy", fillcolor: "rgba(95,61,196,.08)" })], "money");
    const neg = (k) => pick(h, k).map((v) => (isNum(v) ? -v : v));
    const bar = (y, name, color) => ({ x, y, name, type: "bar", marker: { color }, hovertemplate: "%{y:,.2f}" });
    plot("plot-bridge", [bar(pick(h, "new_arr"), "new", COLORS.new), bar(pick(h, "expansion_arr"), "expansion", COLORS.expansion),
      bar(pick(h, "reactivation_arr"), "reactivation", COLORS.reactivation), bar(neg("contraction_arr"), "contraction", COLORS.contraction),
      bar(neg("churned_arr"), "churn", COLORS.churn)], "money", { barmode: "relative" });
    plot("plot-customers", [series(x, pick(h, "customers"), "customers", "count", { line: { color: COLORS.arr } })], "count");
    plot("plot-retention", [series(x, pick(h, "logo_churn_rate"), "logo churn", "pct", { line: { color: COLORS.churn } }),
      series(x, pick(h, "grr"), "GRR", "pct", { line: { color: COLORS.contraction } }),
      series(x, pick(h, "nrr"), "NRR", "pct", { line: { color: COLORS.new } })], "pct");
  }

  /* ---- 2. deal KPIs by month (team, or the picked rep's own rows) ---- */
  const KPI_ROWS = rows(D.kpis);
  function kpis() {
    const own = KPI_ROWS.filter((r) => (state.rep ? r.owner_id === state.rep : r.is_team_total));
    const asOf = D.months.as_of_month;
    const last = own.find((r) => r.month === asOf) || { month: asOf };
    const sub = month(asOf) + (D.months.current_is_partial ? " to date" : "");
    $("kpi-tiles").innerHTML = [
      tile("win_rate", "Win rate", last.win_rate, "pct", sub), tile("avg_deal_size", "Avg deal size", last.avg_deal_size, "money", sub),
      tile("arpa", "ARPA", last.arpa, "money", sub), tile("profit_margin", "Profit margin", last.profit_margin, "pct", sub),
      tile("avg_sales_cycle_days", "Sales cycle", last.avg_sales_cycle_days, "days", sub),
      tile("deals_won", "Deals won", last.deals_won, "count", sub), tile("won_amount", "Won amount", last.won_amount, "money", sub),
      tile("opportunities_created", "New opps", last.opportunities_created, "count", sub),
      tile("pipeline_created_amount", "New pipeline", last.pipeline_created_amount, "money", sub)].join("");
    const x = pick(own, "month");
    plot("plot-win-rate", [series(x, pick(own, "win_rate"), "win rate", "pct", { mode: "lines+markers", marker: { size: 4 } })], "pct");
    plot("plot-deal-size", [series(x, pick(own, "avg_deal_size"), "avg deal size", "money", { mode: "lines+markers", marker: { size: 4 } }),
      series(x, pick(own, "arpa"), "ARPA", "money", { mode: "lines+markers", marker: { size: 4 } })], "money");
    plot("plot-margin", [series(x, pick(own, "profit_margin"), "profit margin", "pct", { mode: "lines+markers", marker: { size: 4 } })], "pct");
    plot("plot-cycle", [series(x, pick(own, "avg_sales_cycle_days"), "closed deals", "days", { mode: "lines+markers", marker: { size: 4 } })], "days");
    plot("plot-created", [{ x, y: pick(own, "opportunities_created"), name: "opportunities created", type: "bar",
      marker: { color: COLORS.lead }, hovertemplate: "%{y:,}" },
      series(x, pick(own, "pipeline_created_amount"), "pipeline created", "money", { yaxis: "y2", line: { color: COLORS.lag } })], "count",
      { layout: { yaxis2: { overlaying: "y", side: "right", showgrid: false, automargin: true, rangemode: "tozero", nticks: 5 }, margin: { l: 40, r: 16, t: 8, b: 36 } } });
  }

  /* ---- 3. quota attainment, current period ---- */
  const QUOTA_ROWS = rows(D.quota);
  function quota() {
    const own = QUOTA_ROWS.filter((r) => !state.rep || r.owner_id === state.rep);
    const period = own.length ? `${own[0].period_start} to ${own[0].period_end} (exclusive), ${(own[0].elapsed_share * 100).toFixed(0)}% elapsed` : "no quota period contains the as-of date";
    $("quota-period").textContent = period;
    const byAttainment = own.slice().sort((a, b) => (a.revenue_attainment ?? -1) - (b.revenue_attainment ?? -1));
    const y = byAttainment.map((r) => repName(r.owner_id));
    plot("plot-quota", [
      { y, x: pick(byAttainment, "revenue_attainment"), name: "revenue attainment", type: "bar", orientation: "h",
        marker: { color: COLORS.lag }, hovertemplate: "%{x:.1%}" },
      { y, x: pick(byAttainment, "elapsed_share"), name: "on pace (share of period elapsed)", type: "scatter", mode: "markers",
        marker: { symbol: "line-ns-open", size: 14, color: COLORS.churn, line: { width: 2 } }, hovertemplate: "%{x:.1%}" }],
      "pct", { height: Math.max(140, 40 + 20 * y.length), layout: { hovermode: "y unified", showlegend: false,
        xaxis: { tickformat: ".0%", gridcolor: "#f0f2f5", side: "top" }, yaxis: { automargin: true, dtick: 1, range: [-0.5, y.length - 0.5] },
        margin: { l: 10, r: 12, t: 30, b: 8 } } });
    $("quota-table").innerHTML = table([
      { label: "rep", get: (r) => repName(r.owner_id) },
      { label: "quota", measure: "", kind: "money", get: (r) => r.quota_revenue },
      { label: "won", measure: "won_amount", kind: "money", get: (r) => r.won_amount },
      { label: "attainment", measure: "revenue_attainment", kind: "pct", get: (r) => r.revenue_attainment },
      { label: "pace", measure: "revenue_pace", kind: "pct", get: (r) => r.revenue_pace },
      { label: "deal quota", kind: "count", get: (r) => r.quota_deals },
      { label: "deals won", measure: "deals_won", kind: "count", get: (r) => r.deals_won },
      { label: "deal attainment", measure: "deal_attainment", kind: "pct", get: (r) => r.deal_attainment },
      { label: "deal pace", measure: "deal_pace", kind: "pct", get: (r) => r.deal_pace }], own);
  }

  /* ---- 4. funnel ---- */
  function funnel() {
    const f = rows(D.funnel);
    const pipelines = [...new Set(pick(f, "pipeline_id"))];
    $("funnel-charts").innerHTML = pipelines.map((p, i) => chartBox("plot-funnel-" + i,
      (f.find((r) => r.pipeline_id === p).pipeline || p) + ": stage-to-stage conversion", ["conversion_rate"])).join("") ||
      `<div class="empty">no deals created in the last twelve months</div>`;
    pipelines.forEach((p, i) => {
      const own = f.filter((r) => r.pipeline_id === p);
      plot("plot-funnel-" + i, [{ x: pick(own, "stage_pair"), y: pick(own, "conversion_rate"), type: "bar", name: "conversion",
        marker: { color: COLORS.lead }, customdata: own.map((r) => [r.reached_to, r.reached_from]),
        hovertemplate: "%{y:.1%} (%{customdata[0]:,} of %{customdata[1]:,} deals)<extra></extra>" }], "pct",
        { layout: { showlegend: false, hovermode: "closest", xaxis: { automargin: true, tickfont: { size: 10 } } } });
    });
  }

  /* ---- 5. rep activity per week ----
     The page gets the additive parts per rep and for the team (summed by the build), weeks by index;
     each ratio is taken here from its parts with the mart's own formula (the same double division). */
  const WEEKS = D.activity.weeks;
  const ACTIVITY_PARTS = Object.keys(D.activity.team).filter((k) => k !== "w");
  const ratio = (a, b) => (isNum(a) && b ? a / b : null);
  function weekRow(cols, i, ownerId) {  // the i-th week of a rep (or the team), its ratios from its parts
    const r = { week_start: WEEKS[cols.w[i]], owner_id: ownerId };
    for (const k of ACTIVITY_PARTS) r[k] = cols[k][i];
    r.avg_talk_time_seconds = ratio(r.connected_talk_time_ms, r.connected_calls_with_duration * 1000);
    r.positive_disposition_rate = ratio(r.positive_dials, r.dials_with_disposition);
    r.meetings_per_conversation = ratio(r.meetings_booked, r.connected_calls);
    return r;
  }
  const weekRows = (cols, ownerId) => cols.w.map((_, i) => weekRow(cols, i, ownerId));
  const TEAM_ACTIVITY = weekRows(D.activity.team, null);
  const REP_ACTIVITY = new Map(D.activity.reps.map((cols) => [cols.owner_id, cols]));
  const repWeeks = (id) => (REP_ACTIVITY.has(id) ? weekRows(REP_ACTIVITY.get(id), id) : []);
  function weekOfEveryRep(week) {  // one row per rep with activity that week
    const w = WEEKS.indexOf(week);
    const out = [];
    for (const cols of D.activity.reps) {
      const i = cols.w.indexOf(w);
      if (i >= 0) out.push(weekRow(cols, i, cols.owner_id));
    }
    return out;
  }
  const ACTIVITY_CHARTS = [
    ["plot-dials", "calls", "Dials", "count"], ["plot-connects", "connected_calls", "Connects", "count"],
    ["plot-talk", "avg_talk_time_seconds", "Avg talk time (s)", "seconds"],
    ["plot-positive", "positive_disposition_rate", "Positive dispositions", "pct"],
    ["plot-meetings", "meetings_per_conversation", "Meetings per conversation", "ratio"],
    ["plot-emails", "emails_received", "Email responses (received)", "count"]];
  function activity() {
    const own = state.rep ? repWeeks(state.rep) : TEAM_ACTIVITY;
    const x = pick(own, "week_start");
    const lastWeek = D.meta.last_complete_week;
    const start = new Date(Date.parse(lastWeek) - 25 * 7 * 864e5).toISOString().slice(0, 10);
    const end = new Date(Date.parse(D.meta.as_of) + 4 * 864e5).toISOString().slice(0, 10);
    for (const [id, measure, , kind] of ACTIVITY_CHARTS) {
      const trace = kind === "count" ? { x, y: pick(own, measure), type: "bar", name: measure, marker: { color: COLORS.lead },
        hovertemplate: "%{y:,}" } : series(x, pick(own, measure), measure, kind, { mode: "lines+markers", marker: { size: 3 }, line: { color: COLORS.lead } });
      plot(id, [trace], kind, { xrange: [start, end], layout: { showlegend: false } });
    }
    const week = weekOfEveryRep(lastWeek).filter((r) => !state.rep || r.owner_id === state.rep)
      .sort((a, b) => (b.calls - a.calls) || (repName(a.owner_id) < repName(b.owner_id) ? -1 : 1));
    $("activity-week").textContent = lastWeek;
    $("activity-table").innerHTML = table([{ label: "rep", get: (r) => repName(r.owner_id) },
      ...ACTIVITY_CHARTS.map(([, measure, label, kind]) => ({ label: label.replace(" (s)", ""), measure, kind, get: (r) => r[measure] })),
      { label: "Meetings booked", measure: "meetings_booked", kind: "count", get: (r) => r.meetings_booked },
      { label: "Emails sent", measure: "emails_sent", kind: "count", get: (r) => r.emails_sent }], week);
  }

  /* ---- 6. scorecard leaderboard ---- */
  const SCORE_ROWS = rows(D.scorecard);
  function scorecard() {
    const board = (m) => table([{ label: "rank", kind: "count", get: (r) => r.rank }, { label: "rep", get: (r) => repName(r.owner_id) },
      { label: "points", measure: "total_points", kind: "ratio", get: (r) => r.total_points }],
      SCORE_ROWS.filter((r) => r.month === m && (!state.rep || r.owner_id === state.rep)));
    $("score-complete-title").textContent = month(D.months.last_complete_month);
    $("score-complete").innerHTML = board(D.months.last_complete_month);
    const partial = D.months.current_is_partial;
    $("score-partial-box").style.display = partial ? "" : "none";
    $("score-partial-title").textContent = month(D.months.as_of_month) + " to date";
    $("score-partial").innerHTML = partial ? board(D.months.as_of_month) : "";
  }

  /* ---- 7. north star ---- */
  function northStar() {
    const plans = rows(D.north_star);
    const asOf = D.meta.as_of;
    const plan = plans.find((r) => r.period_start <= asOf && asOf < r.period_end) || plans[plans.length - 1];
    if (!plan) { $("ns-tiles").innerHTML = `<div class="empty">no revenue target configured (north_star in salesmetrics.yml)</div>`; return; }
    const sub = `${plan.period_start} to ${plan.period_end}`;
    $("ns-tiles").innerHTML = [tile("revenue_target", "Target", plan.revenue_target, "money", sub),
      tile("won_to_date", "Won to date", plan.won_to_date, "money", sub), tile("expected_to_date", "Expected to date", plan.expected_to_date, "money", sub),
      tile("pace", "Pace", plan.pace, "pct", "won ÷ expected"), tile("deals_needed", "Deals needed", plan.deals_needed, "count", "target ÷ avg deal size"),
      tile("opportunities_needed", "Opps needed", plan.opportunities_needed, "count", "deals ÷ win rate"),
      tile("pipeline_coverage", "Pipeline coverage", plan.pipeline_coverage, "times", "weighted open ÷ remaining")].join("");
    const labels = ["target", "expected to date", "won to date", "weighted open pipeline"];
    const values = [plan.revenue_target, plan.expected_to_date, plan.won_to_date, plan.weighted_open_pipeline];
    plot("plot-north-star", [{ y: labels, x: values, type: "bar", orientation: "h", marker: { color: [COLORS.grey, "#adb5bd", COLORS.lag, COLORS.lead] },
      hovertemplate: "%{x:,.2f}<extra></extra>" }], "money",
      { height: 200, layout: { showlegend: false, hovermode: "closest", yaxis: { autorange: "reversed", automargin: true }, margin: { l: 10, r: 12, t: 8, b: 30 } } });
    $("ns-table").innerHTML = table([{ label: "period", get: (r) => `${r.period_start} to ${r.period_end}` },
      { label: "target", measure: "revenue_target", kind: "money", get: (r) => r.revenue_target },
      { label: "won to date", measure: "won_to_date", kind: "money", get: (r) => r.won_to_date },
      { label: "pace", measure: "pace", kind: "pct", get: (r) => r.pace },
      { label: "deals needed", measure: "deals_needed", kind: "count", get: (r) => r.deals_needed },
      { label: "opportunities needed", measure: "opportunities_needed", kind: "count", get: (r) => r.opportunities_needed },
      { label: "coverage", measure: "pipeline_coverage", kind: "times", get: (r) => r.pipeline_coverage }], plans.slice().reverse(),
      (r) => (r === plan ? "me" : ""));
  }

  /* ---- the rep filter narrows every per-rep view; it survives a reload in the URL's hash ---- */
  function applyRep(rep) {
    state.rep = NAMES[rep] ? rep : "";
    $("rep-filter").value = state.rep;
    document.body.classList.toggle("filtered", !!state.rep);
    document.querySelectorAll(".rep-name").forEach((el) => { el.textContent = state.rep ? repName(state.rep) : ""; });
    kpis(); quota(); activity(); scorecard();
  }

  function watchForNewBuilds() {
    if (!/^https?:$/.test(location.protocol)) return;  // a file opened from disk has nothing to poll
    setInterval(() => {
      fetch("version", { cache: "no-store" }).then((r) => (r.ok ? r.json() : null)).then((v) => {
        if (v && v.build_id && v.build_id !== D.meta.build_id) location.reload();
      }).catch(() => {});
    }, D.meta.poll_seconds * 1000);
  }

  header(); health(); funnel(); northStar();
  applyRep(decodeURIComponent((location.hash.match(/rep=([^&]+)/) || [])[1] || ""));
  $("rep-filter").addEventListener("change", (e) => {
    history.replaceState(null, "", e.target.value ? "#rep=" + encodeURIComponent(e.target.value) : location.pathname + location.search);
    applyRep(e.target.value);
  });
  watchForNewBuilds();
  performance.mark("dashboard-figures");
  requestAnimationFrame(() => setTimeout(() => {  // a frame has been painted with every figure and table
    performance.mark("dashboard-figures-painted");
    loadCharts();
    performance.mark("dashboard-ready");
    document.body.dataset.ready = "true";
  }, 0));
})();
