// The Grid admin dashboard: polls GET /admin/api/cluster about once a second, keeps the recent history in the page for
// the charts, and sends the confirmed actions as POSTs of the admin API (docs/admin-api.md). No libraries, no build.
"use strict";
(() => {
  const POLL_MS = 1000;
  const HISTORY_MS = 15 * 60 * 1000; // kept in the page
  const WINDOW_MS = 5 * 60 * 1000;   // shown in the charts
  const MAX_REQUEST_ROWS = 50;
  const history = [];                // { t, tps, ttft: {p50,p90,p99}|null, tpot: ... }
  let gpuKeys = [];
  let timer = 0;

  const $ = id => document.getElementById(id);

  // ---- talking to the admin API -------------------------------------------------------------------------------
  async function api(method, path, body) {
    const init = { method, credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const res = await fetch(path, init);
    let data = null;
    try { data = await res.json(); } catch { /* no body */ }
    if (!res.ok) {
      const err = new Error((data && data.error && data.error.message) || `${res.status} ${res.statusText}`);
      err.status = res.status;
      throw err;
    }
    return data;
  }

  const seg = s => encodeURIComponent(s);

  async function poll() {
    clearTimeout(timer);
    try {
      const cluster = await api("GET", "/admin/api/cluster");
      $("auth-error").hidden = true;
      setStatus("live", "live");
      render(cluster);
    } catch (e) {
      $("auth-error").hidden = e.status !== 401;
      setStatus("error", e.status === 401 ? "admin key needed" : `no data: ${e.message}`);
    } finally {
      timer = setTimeout(poll, POLL_MS);
    }
  }

  function setStatus(state, text) {
    const s = $("conn-status");
    s.dataset.state = state;
    s.textContent = text;
  }

  function message(text, isError) {
    const box = $("messages");
    const div = document.createElement("div");
    div.className = "msg" + (isError ? " error" : "");
    div.dataset.role = "message";
    div.textContent = text;
    box.prepend(div);
    while (box.children.length > 4) box.lastChild.remove();
    setTimeout(() => div.remove(), 15000);
  }

  // ---- actions: each confirmed, each one POST -------------------------------------------------------------------
  const actions = {
    drain: row => ({
      question: `Drain node ${row.dataset.node}? Its GPUs stop admitting new requests; running ones finish.`,
      path: `/admin/api/silos/${seg(row.dataset.node)}/drain`,
      done: () => `Node ${row.dataset.node} is draining.`,
    }),
    evict: row => ({
      question: `Evict the cached prefix blocks of GPU ${row.dataset.gpu}?`,
      path: `/admin/api/gpus/${seg(row.dataset.gpu)}/evict`,
      done: r => `GPU ${row.dataset.gpu} evicted ${r && r.evicted !== undefined ? r.evicted : "its"} cached blocks.`,
    }),
    cancel: row => ({
      question: `Cancel request ${row.dataset.request}?`,
      path: `/admin/api/requests/${seg(row.dataset.request)}/cancel`,
      done: () => `Request ${row.dataset.request} cancelled.`,
    }),
    migrate: row => {
      const target = row.querySelector("select[data-role=migrate-target]").value;
      return {
        question: `Move request ${row.dataset.request} from ${row.dataset.gpuKey} to ${target || "another GPU"}? It is recomputed there from its prompt and tokens so far.`,
        path: `/admin/api/requests/${seg(row.dataset.request)}/migrate`,
        body: target ? { gpu: target } : {},
        done: r => `Request ${row.dataset.request} moved to ${r && r.gpu ? r.gpu : "another GPU"}.`,
      };
    },
  };

  document.addEventListener("click", async ev => {
    const button = ev.target.closest("button[data-action]");
    if (!button) return;
    const row = button.closest("tr");
    const a = actions[button.dataset.action](row);
    if (!window.confirm(a.question)) return;
    button.disabled = true;
    try {
      const result = await api("POST", a.path, a.body);
      message(a.done(result), false);
    } catch (e) {
      message(`${button.dataset.action} failed: ${e.message}`, true);
    } finally {
      button.disabled = false;
      poll();
    }
  });

  // ---- rendering ------------------------------------------------------------------------------------------------
  const fmt = {
    int: n => (n ?? 0).toLocaleString("en-US"),
    rate: n => n == null ? "–" : n >= 100 ? n.toFixed(0) : n.toFixed(1),
    pct: f => f == null || !isFinite(f) ? "–" : `${(f * 100).toFixed(1)} %`,
    ms: n => n == null ? "–" : n >= 100 ? n.toFixed(0) : n.toFixed(1),
    age: s => s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, "0")}`,
    pcts: p => p ? `${fmt.ms(p.p50)} / ${fmt.ms(p.p90)} / ${fmt.ms(p.p99)} ms` : "–",
  };

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v;
      else if (k.startsWith("data-")) e.dataset[k.slice(5).replace(/-(.)/g, (_, c) => c.toUpperCase())] = v;
      else e.setAttribute(k, v);
    }
    for (const c of children) e.append(c);
    return e;
  }

  /** Keeps a table body's rows in step with items, by key, so open selects and focus survive each poll. */
  function syncRows(tbody, items, keyOf, create, update) {
    const existing = new Map([...tbody.rows].map(r => [r.dataset.key, r]));
    let prev = null;
    for (const item of items) {
      const key = keyOf(item);
      let row = existing.get(key);
      if (row) existing.delete(key);
      else { row = create(item); row.dataset.key = key; }
      update(row, item);
      const want = prev ? prev.nextSibling : tbody.firstChild;
      if (row !== want) tbody.insertBefore(row, want);
      prev = row;
    }
    for (const r of existing.values()) r.remove();
  }

  const field = (row, name) => row.querySelector(`[data-field="${name}"]`);
  const setText = (row, name, text) => { const f = field(row, name); if (f.textContent !== text) f.textContent = text; };

  function render(c) {
    const t = c.totals || {};
    $("updated").textContent = new Date(c.at || Date.now()).toLocaleTimeString();
    $("total-tps").textContent = fmt.rate(t.tokensPerSecond);
    $("total-running").textContent = fmt.int(t.running);
    $("total-waiting").textContent = fmt.int(t.waiting);
    $("prefix-hit-rate").textContent = fmt.pct(t.prefixHitRate);
    $("ttft-now").textContent = fmt.pcts(t.ttftMs);
    $("tpot-now").textContent = fmt.pcts(t.tpotMs);
    document.body.dataset.polls = String(Number(document.body.dataset.polls || 0) + 1);

    renderSilos(c.silos || []);
    renderGpus(c.gpus || []);
    renderRequests(c.requests || []);

    const now = Date.now();
    history.push({ t: now, tps: t.tokensPerSecond ?? 0, ttft: t.ttftMs || null, tpot: t.tpotMs || null });
    while (history.length && history[0].t < now - HISTORY_MS) history.shift();
    drawCharts();
  }

  function renderSilos(silos) {
    $("silo-count").textContent = `(${silos.length})`;
    syncRows($("silos").tBodies[0], silos, s => s.address,
      s => el("tr", { "data-node": s.node, "data-silo": s.address },
        el("td", { "data-field": "node", class: "mono" }),
        el("td", { "data-field": "address", class: "mono muted" }),
        el("td", { "data-field": "status" }),
        el("td", { "data-field": "admitting" }),
        el("td", { class: "actions" }, el("button", { type: "button", class: "danger", "data-action": "drain" }, "Drain"))),
      (row, s) => {
        setText(row, "node", s.node);
        setText(row, "address", s.address);
        setText(row, "status", s.status);
        setText(row, "admitting", s.draining ? "draining" : "yes");
        row.classList.toggle("draining", !!s.draining);
        row.dataset.draining = String(!!s.draining);
        row.querySelector("button[data-action=drain]").disabled = !!s.draining;
      });
  }

  function renderGpus(gpus) {
    gpuKeys = gpus.filter(g => !g.draining).map(g => g.key);
    $("gpu-count").textContent = `(${gpus.length})`;
    syncRows($("gpus").tBodies[0], gpus, g => g.key,
      g => el("tr", { "data-gpu": g.key, "data-node": g.node },
        el("td", {}, el("span", { "data-field": "key", class: "mono" }), " ", el("span", { "data-field": "state", class: "tag warn" })),
        el("td", { "data-field": "backend" }),
        el("td", { "data-field": "model", class: "mono" }),
        el("td", {},
          el("div", { class: "kvbar", "data-role": "kv-bar" },
            el("span", { class: "used", "data-kv": "used" }), el("span", { class: "cached", "data-kv": "cached" }), el("span", { class: "free", "data-kv": "free" })),
          el("div", { class: "kvtext", "data-field": "kv" })),
        el("td", { class: "num", "data-field": "running" }),
        el("td", { class: "num", "data-field": "waiting" }),
        el("td", { class: "num", "data-field": "tps" }),
        el("td", { class: "num", "data-field": "hits" }),
        el("td", { class: "actions" }, el("button", { type: "button", "data-action": "evict" }, "Evict cache"))),
      (row, g) => {
        const total = g.totalBlocks || (g.usedBlocks + g.cachedBlocks + g.freeBlocks) || 1;
        setText(row, "key", g.key);
        setText(row, "state", g.draining ? "draining" : "");
        field(row, "state").hidden = !g.draining;
        setText(row, "backend", g.backend);
        setText(row, "model", g.model);
        for (const [part, n] of [["used", g.usedBlocks], ["cached", g.cachedBlocks], ["free", g.freeBlocks]]) {
          const bar = row.querySelector(`[data-kv="${part}"]`);
          bar.style.width = `${(100 * (n || 0) / total).toFixed(2)}%`;
          bar.title = `${part}: ${fmt.int(n)} blocks`;
          row.dataset[part + "Blocks"] = String(n || 0);
        }
        setText(row, "kv", `${fmt.int(g.usedBlocks)} used · ${fmt.int(g.cachedBlocks)} cached · ${fmt.int(g.freeBlocks)} free of ${fmt.int(total)}`);
        setText(row, "running", fmt.int(g.running));
        setText(row, "waiting", fmt.int(g.waiting));
        setText(row, "tps", fmt.rate(g.tokensPerSecond));
        setText(row, "hits", g.prefixQueryTokens ? fmt.pct(g.prefixHitTokens / g.prefixQueryTokens) : "–");
        row.classList.toggle("draining", !!g.draining);
        row.dataset.draining = String(!!g.draining);
        row.dataset.running = String(g.running || 0);
      });
  }

  function renderRequests(all) {
    // Oldest first, so rows keep their places from one poll to the next; a long queue shows its head.
    const requests = [...all].sort((a, b) => (b.ageSeconds || 0) - (a.ageSeconds || 0)).slice(0, MAX_REQUEST_ROWS);
    $("request-count").textContent = `(${all.length})`;
    $("requests-empty").hidden = all.length > 0;
    $("requests-more").hidden = all.length <= requests.length;
    $("requests-more").textContent = `… and ${all.length - requests.length} more, newer`;
    syncRows($("requests").tBodies[0], requests, r => r.id,
      r => el("tr", { "data-request": r.id },
        el("td", { "data-field": "id", class: "mono" }),
        el("td", { "data-field": "gpu", class: "mono" }),
        el("td", { "data-field": "phase" }),
        el("td", { class: "num", "data-field": "tokens" }),
        el("td", { class: "num", "data-field": "age" }),
        el("td", { class: "actions" },
          el("select", { "data-role": "migrate-target", "aria-label": "migrate to" }), " ",
          el("button", { type: "button", "data-action": "migrate" }, "Migrate"), " ",
          el("button", { type: "button", class: "danger", "data-action": "cancel" }, "Cancel"))),
      (row, r) => {
        setText(row, "id", r.id);
        setText(row, "gpu", r.gpu || "–");
        setText(row, "phase", r.phase || "");
        setText(row, "tokens", fmt.int(r.tokens));
        setText(row, "age", fmt.age(r.ageSeconds || 0));
        row.dataset.gpuKey = r.gpu || "";
        row.dataset.tokens = String(r.tokens || 0);
        syncTargets(row.querySelector("select[data-role=migrate-target]"), gpuKeys.filter(k => k !== r.gpu));
      });
  }

  /** The migrate choices: any other GPU, or one named; rebuilt only when the GPUs change, keeping the choice. */
  function syncTargets(select, keys) {
    const want = ["", ...keys];
    if ([...select.options].map(o => o.value).join("\n") === want.join("\n")) return;
    const chosen = select.value;
    select.replaceChildren(...want.map(k => el("option", { value: k }, k || "any other GPU")));
    if (want.includes(chosen)) select.value = chosen;
  }

  // ---- charts: drawn on canvas from the history kept above --------------------------------------------------------
  const colors = () => {
    const s = getComputedStyle(document.documentElement);
    return [1, 2, 3].map(i => s.getPropertyValue(`--s${i}`).trim());
  };

  function drawCharts() {
    const [c1, c2, c3] = colors();
    const pcts = (name) => ["p50", "p90", "p99"].map((p, i) => ({
      name: p, color: [c1, c2, c3][i], points: history.map(h => [h.t, h[name] ? h[name][p] : null]),
    }));
    drawChart($("chart-throughput"), [{ name: "tok/s", color: c1, points: history.map(h => [h.t, h.tps]) }], "throughput");
    drawChart($("chart-ttft"), pcts("ttft"), "ttft", "no finished requests in the last minute");
    drawChart($("chart-tpot"), pcts("tpot"), "tpot", "no finished requests in the last minute");
  }

  function niceMax(v) {
    if (!(v > 0)) return 1;
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * p) return m * p;
    return 10 * p;
  }

  function drawChart(canvas, series, legendName, emptyText) {
    const legend = document.querySelector(`[data-legend="${legendName}"]`);
    if (!legend.childElementCount)
      legend.replaceChildren(...series.map(s => { const i = el("i"); i.style.background = s.color; return el("span", {}, i, s.name); }));

    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth, h = canvas.clientHeight;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
    }
    const g = canvas.getContext("2d");
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    const left = 44, right = 8, top = 8, bottom = 20;
    const pw = w - left - right, ph = h - top - bottom;
    const now = Date.now(), t0 = now - WINDOW_MS;
    const x = t => left + pw * (t - t0) / WINDOW_MS;

    let max = 0, drawn = 0;
    for (const s of series) for (const [t, v] of s.points) if (t >= t0 && v != null && v > max) max = v;
    max = niceMax(max);
    const y = v => top + ph * (1 - v / max);

    g.font = "11px system-ui, sans-serif";
    g.strokeStyle = "#e2e5eb";
    g.fillStyle = "#6b7385";
    g.lineWidth = 1;
    g.textAlign = "right";
    g.textBaseline = "middle";
    for (let i = 0; i <= 4; i++) {
      const v = max * i / 4, yy = Math.round(y(v)) + 0.5;
      g.beginPath(); g.moveTo(left, yy); g.lineTo(left + pw, yy); g.stroke();
      g.fillText(v >= 100 ? v.toFixed(0) : +v.toFixed(1) + "", left - 6, yy);
    }
    g.textAlign = "center";
    g.textBaseline = "top";
    for (let m = 0; m <= WINDOW_MS / 60000; m++) {
      const xx = Math.round(x(now - m * 60000)) + 0.5;
      g.fillText(m === 0 ? "now" : `-${m}m`, Math.min(xx, left + pw - 10), top + ph + 5);
    }

    g.lineWidth = 1.8;
    g.lineJoin = "round";
    for (const s of series) {
      g.strokeStyle = s.color;
      g.beginPath();
      let pen = false;
      for (const [t, v] of s.points) {
        if (t < t0 || v == null) { pen = false; continue; }
        if (pen) g.lineTo(x(t), y(v)); else g.moveTo(x(t), y(v));
        pen = true;
        drawn++;
      }
      g.stroke();
    }
    if (!drawn && emptyText) {
      g.fillStyle = "#9aa1b0";
      g.textBaseline = "middle";
      g.fillText(emptyText, left + pw / 2, top + ph / 2);
    }
    canvas.dataset.points = String(drawn);
    canvas.dataset.max = String(max);
  }

  window.addEventListener("resize", drawCharts);
  poll();
})();
