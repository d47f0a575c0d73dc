// SPDX-License-Identifier: BSD-3-Clause
//
// The dashboard: reads /api/stats once a second (?interval=MS for another
// period), turns each pair of readings into rates by the manager's own
// clock (uptime_s, so a slow answer or a browser that runs its timers
// late does not bend them), and draws the flow graph, the charts and the
// tables. No library: canvas and SVG by hand.
//
// Every table row carries its rates in data- attributes (data-port,
// data-nf, data-chain with data-rx-pps, data-pps, ...): what people read
// is what a test reads.
"use strict";

const WINDOW_S = 120;      // what the charts show
const MAX_LANES = 12;      // chains drawn in the flow graph (the busiest)
const PALETTE = ["#69a7ff", "#3fc1a5", "#f0b43c", "#c678dd", "#ff8f5a", "#56d4e8",
                 "#e06c9f", "#a3d65c", "#d4b26a", "#8c9eff", "#5ad1a0", "#ffa1c9"];
const DROP_PALETTE = ["#ff5d5d", "#ff9f43", "#f368e0", "#feca57", "#ee5253", "#ff6b81",
                      "#e17055", "#fd79a8", "#fab1a0", "#d63031"];
// Where each drop reason happens (docs/operations.md has their meaning).
const PORT_DROPS = { tx_drop: "port TX", no_chain: "classifier", entry_drop: "chain entry",
                     imissed: "NIC", ierrors: "NIC", rx_nombuf: "NIC", oerrors: "NIC" };

// The data path's (onvm_mgr/mgr.h, foreach_mgr_drop): where, in a word.
const DATA_PATH_DROPS = { nf_drop: "an NF's verdict", chain_end: "after a chain's last hop, no out port",
                          no_instance: "a service with no NF running", hop_stuck: "between hops: next NF's ring full 10 ms",
                          bad_dest: "an NF named no such service or port" };

const params = new URLSearchParams(location.search);
const interval = Math.max(200, Number(params.get("interval")) || 1000);

let prev = null;           // the last reading
let firstT = null;         // uptime_s of the first reading
let samples = 0;
const history = new Map(); // series key -> [[uptime_s, value], ...]
const colors = new Map();  // series key -> colour, stable for the page's life

// ---- formatting ----

function esc(s) {
  return String(s).replace(/[&<>"']/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;",
                                                '"': "&quot;", "'": "&#39;" }[c]));
}

// 1234567 -> "1.23 M"; unit appended ("pps", "bit/s", "").
function si(v, unit) {
  if (v === null || v === undefined || !isFinite(v)) return "–";
  const units = ["", "k", "M", "G", "T", "P"];
  let i = 0;
  while (Math.abs(v) >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  const digits = v === 0 || i === 0 && Number.isInteger(v) ? 0 : Math.abs(v) < 10 ? 2 : Math.abs(v) < 100 ? 1 : 0;
  return v.toFixed(digits) + (units[i] || unit ? " " : "") + units[i] + (unit || "");
}

// Exact counts, grouped: 1234567 -> "1 234 567".
function count(n) {
  return n === undefined || n === null ? "–" : String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "\u2009");
}

function duration(s) {
  s = Math.floor(s);
  const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
  return d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : m ? `${m}m ${s % 60}s` : `${s}s`;
}

function colorOf(key, palette) {
  if (!colors.has(key)) {
    const used = [...colors.entries()].filter(([, c]) => palette.includes(c)).length;
    colors.set(key, palette[used % palette.length]);
  }
  return colors.get(key);
}

const sum = (o, keys) => keys.reduce((a, k) => a + (Number(o && o[k]) || 0), 0);
const values = o => Object.values(o || {}).reduce((a, v) => a + (Number(v) || 0), 0);

// ---- rates between two readings ----

// Counters per object, keyed so that a new NF in an old slot, or a chain
// that a reload replaced, is not taken for the old one.
function counters(s) {
  const c = { ports: new Map(), nfs: new Map(), chains: new Map(), drops: new Map(), nfctr: new Map(),
              chainDrops: new Map() };
  for (const p of s.ports || []) {
    const nic = p.nic || {};
    c.ports.set(p.id, { rx: p.rx, tx: p.tx, rxb: nic.ibytes, txb: nic.obytes,
                        drop: sum(p, ["tx_drop", "no_chain", "entry_drop"]) +
                              sum(nic, ["imissed", "ierrors", "rx_nombuf", "oerrors"]) });
    for (const r of Object.keys(PORT_DROPS)) {
      const v = r in p ? p[r] : nic[r];
      c.drops.set(r, (c.drops.get(r) || 0) + (Number(v) || 0));
    }
  }
  for (const n of s.nfs || []) {
    const key = `${n.id}@${n.started_us}`;
    c.nfs.set(key, { rx: n.rx, tx: n.tx, drop: (n.act_drop || 0) + (n.entry_drop || 0) });
    for (const [name, v] of Object.entries(n.counters || {})) c.nfctr.set(`${key}/${name}`, v);
  }
  for (const ch of s.chains || []) {
    c.chains.set(ch.name, { pkts: ch.pkts, bytes: ch.bytes, drop: values(ch.drops) });
    for (const [reason, v] of Object.entries(ch.drops || {})) c.chainDrops.set(`${ch.name}/${reason}`, v);
  }
  for (const [r, v] of Object.entries(s.drops || {})) c.drops.set(r, (c.drops.get(r) || 0) + v);
  return c;
}

// Per second, from a to b (the same map of counter objects); a counter
// that went down (a restart) gives no rate rather than a negative one.
function perSecond(a, b, dt) {
  const out = new Map();
  for (const [k, cur] of b) {
    const old = a && a.get(k);
    if (old === undefined) continue;
    if (typeof cur === "number") {
      if (cur >= old) out.set(k, (cur - old) / dt);
      continue;
    }
    const r = {};
    for (const f of Object.keys(cur))
      r[f] = cur[f] >= old[f] ? (cur[f] - old[f]) / dt : null;
    out.set(k, r);
  }
  return out;
}

function rates(prevC, curC, dt) {
  const r = {};
  for (const part of ["ports", "nfs", "chains", "drops", "nfctr", "chainDrops"])
    r[part] = prevC && dt > 0 ? perSecond(prevC[part], curC[part], dt) : new Map();
  return r;
}

function remember(key, t, v) {
  if (v === null || v === undefined) return;
  let h = history.get(key);
  if (!h) history.set(key, h = []);
  h.push([t, v]);
  while (h.length && h[0][0] < t - WINDOW_S - 5) h.shift();
}

// ---- charts ----

// A line chart over the last WINDOW_S seconds; series: [{key, name,
// color, dash, value}] (value: the latest rate, for the legend).
class Chart {
  constructor(canvas, legend, unit) {
    this.canvas = canvas;
    this.legend = legend;
    this.unit = unit;
  }

  draw(series, now) {
    const cv = this.canvas, dpr = window.devicePixelRatio || 1;
    const w = cv.clientWidth || 600, h = Number(cv.getAttribute("height")) || 220;
    cv.style.height = h + "px";
    if (cv.width !== Math.round(w * dpr)) cv.width = Math.round(w * dpr);
    cv.height = Math.round(h * dpr);
    const g = cv.getContext("2d");
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    const left = 64, right = 10, top = 8, bottom = 22;
    const pw = w - left - right, ph = h - top - bottom;
    // The span grows with the page's age up to WINDOW_S: a page just
    // opened shows its few readings across the chart, not in a corner.
    const span = Math.min(WINDOW_S, Math.max(10, Math.ceil((now - (firstT === null ? now : firstT)) / 10) * 10));
    let max = 0;
    for (const s of series)
      for (const [t, v] of history.get(s.key) || [])
        if (t >= now - span) max = Math.max(max, v);
    const step = niceStep(max > 0 ? max / 4 : 1);
    const top_v = Math.max(step, Math.ceil(max * 1.05 / step) * step);
    const x = t => left + pw * (1 - (now - t) / span);
    const y = v => top + ph * (1 - v / top_v);

    g.font = "11px 'DejaVu Sans', sans-serif";
    g.textBaseline = "middle";
    g.lineWidth = 1;
    for (let v = 0; v <= top_v + step / 2; v += step) {
      g.strokeStyle = v === 0 ? "#3a4757" : "#222c39";
      g.beginPath(); g.moveTo(left, Math.round(y(v)) + .5); g.lineTo(left + pw, Math.round(y(v)) + .5); g.stroke();
      g.fillStyle = "#8494a7"; g.textAlign = "right";
      g.fillText(si(v, ""), left - 6, y(v));
    }
    g.textAlign = "center"; g.textBaseline = "top";
    const tick = span <= 20 ? 5 : span <= 60 ? 10 : 30;
    for (let ago = 0; ago <= span; ago += tick)
      g.fillText(ago ? `-${ago} s` : "now", Math.min(x(now - ago), left + pw - 12), top + ph + 6);
    g.save();
    g.beginPath(); g.rect(left, top, pw, ph); g.clip();
    for (const s of series) {
      const pts = (history.get(s.key) || []).filter(([t]) => t >= now - span - 2);
      if (!pts.length) continue;
      g.strokeStyle = s.color; g.lineWidth = 2; g.lineJoin = "round";
      g.setLineDash(s.dash ? [5, 4] : []);
      g.beginPath();
      pts.forEach(([t, v], i) => i ? g.lineTo(x(t), y(v)) : g.moveTo(x(t), y(v)));
      g.stroke();
    }
    g.restore();
    g.setLineDash([]);
    if (!series.length) {
      g.fillStyle = "#8494a7"; g.textAlign = "center"; g.textBaseline = "middle";
      g.fillText("nothing to show yet", left + pw / 2, top + ph / 2);
    }
    this.legend.innerHTML = series.map(s =>
      `<span><i style="background:${s.color}"></i>${esc(s.name)}<b>${si(s.value, this.unit)}</b></span>`).join("");
  }
}

function niceStep(raw) {
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * p;
}

// ---- the flow graph ----

function edgeWidth(pps) {
  return pps > 0 ? 1.5 + 6 * Math.min(1, Math.log10(pps + 1) / 7) : 1;
}

function curve(x1, y1, x2, y2, pps, extra) {
  const mx = (x1 + x2) / 2;
  return `<path class="edge${pps > 0 ? " active" : ""}${extra || ""}" stroke-width="${edgeWidth(pps).toFixed(1)}"` +
         ` d="M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}"/>`;
}

function arrow(x1, y, x2, pps) {
  return `<path class="edge${pps > 0 ? " active" : ""}" stroke-width="${edgeWidth(pps).toFixed(1)}"` +
         ` marker-end="url(#${pps > 0 ? "arr-on" : "arr-off"})" d="M${x1},${y} L${x2 - 3},${y}"/>`;
}

function dropLabel(x, y, pps, what, anchor) {
  if (!(pps > 0)) return "";
  return `<text class="drop" x="${x}" y="${y}" text-anchor="${anchor || "start"}">✕ ${si(pps, "pps")}${what ? " " + esc(what) : ""}</text>`;
}

// A chain that drops nothing now but did: how many, and mostly why.
function pastDrops(x, y, c) {
  const d = Object.entries(c.drops || {}).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]);
  if (!d.length) return "";
  const total = d.reduce((a, [, v]) => a + v, 0);
  return `<text class="dropped-before" x="${x}" y="${y}">✕ ${si(total, "")} since start, ${esc(d[0][0])}</text>`;
}

// Services as the flow graph shows them: their running NFs' rates summed.
function serviceStats(s, r) {
  const svc = new Map();
  for (const n of s.nfs || []) {
    if (n.state !== "running") continue;
    const k = n.service_name;
    const e = svc.get(k) || { instances: 0, rx: 0, drop: 0, fill: 0 };
    const nr = r.nfs.get(`${n.id}@${n.started_us}`) || {};
    e.instances++;
    e.rx += nr.rx || 0;
    e.drop += nr.drop || 0;
    if (n.rx_ring && n.rx_ring.size) e.fill = Math.max(e.fill, n.rx_ring.count / n.rx_ring.size);
    svc.set(k, e);
  }
  return svc;
}

// The reason most of a chain's packets are dropped for, now.
function topReason(c, r) {
  let best = null;
  for (const reason of Object.keys(c.drops || {})) {
    const v = r.chainDrops.get(`${c.name}/${reason}`) || 0;
    if (v > 0 && (!best || v > best[1])) best = [reason, v];
  }
  return best ? best[0] : "";
}

function drawFlow(s, r) {
  const el = document.getElementById("flow");
  const W = Math.max(960, el.clientWidth || 1200);
  const ports = s.ports || [];
  const svc = serviceStats(s, r);
  const auto = new Map((s.services || []).filter(v => v.autoscale).map(v => [v.name, v.autoscale]));
  let chains = (s.chains || []).filter(c => (c.hops || []).length);
  // Services on more than one lane: their rate is over every chain.
  const lanesOf = new Map();
  for (const c of chains) for (const h of new Set(c.hops)) lanesOf.set(h, (lanesOf.get(h) || 0) + 1);
  const hidden = Math.max(0, chains.length - MAX_LANES);
  if (hidden) {
    const rate = c => ((r.chains.get(c.name) || {}).pkts || 0) + (c.pkts || 0) * 1e-12;
    const keep = new Set([...chains].sort((a, b) => rate(b) - rate(a)).slice(0, MAX_LANES));
    chains = chains.filter(c => keep.has(c));
  }
  const laneH = 72, portH = 64, top = 34;
  const bodyH = Math.max(chains.length * laneH, ports.length * portH, 140);
  const H = top + bodyH + (hidden ? 26 : 8);
  const portW = 150, clsW = 104;
  const xRx = 12, xCls = xRx + portW + 56, xLane = xCls + clsW + 64;
  const xTx = W - 12 - portW, xLaneEnd = xTx - 70;
  const labelW = 156, outW = 92;
  const xHops = xLane + labelW + 36, xOut = xLaneEnd - outW;
  const maxHops = Math.max(1, ...chains.map(c => c.hops.length));
  const gap = 40;
  const boxW = Math.max(92, Math.min(190, (xOut - 36 - xHops - (maxHops - 1) * gap) / maxHops));
  const portY = i => top + bodyH * (i + .5) / Math.max(1, ports.length);
  const laneY = i => top + (chains.length ? bodyH * (i + .5) / chains.length : bodyH / 2);
  const clsY = top + bodyH / 2;
  const out = [];

  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`,
    `<defs><marker id="arr-on" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto">` +
    `<path d="M0,0 L10,5 L0,10 z" fill="#3fc1a5"/></marker>` +
    `<marker id="arr-off" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto">` +
    `<path d="M0,0 L10,5 L0,10 z" fill="#3a4757"/></marker></defs>`,
    `<text class="head" x="${xRx}" y="16">ports: in</text>`,
    `<text class="head" x="${xCls}" y="16">classify</text>`,
    `<text class="head" x="${xLane}" y="16">chains and their services</text>`,
    `<text class="head" x="${xTx}" y="16">ports: out</text>`);

  // Ports in, into the classifier (table 0).
  ports.forEach((p, i) => {
    const pr = r.ports.get(p.id) || {}, y = portY(i);
    out.push(curve(xRx + portW, y, xCls, clsY, pr.rx));
    const nicDrops = ["imissed", "ierrors", "rx_nombuf"].reduce((a, k) => a + ((p.nic || {})[k] || 0), 0);
    out.push(`<rect class="node port${pr.rx > 0 ? " active" : ""}${nicDrops && pr.drop > 0 ? " dropped" : ""}" x="${xRx}" y="${y - 24}" width="${portW}" height="48" rx="6"/>`,
      `<text x="${xRx + 10}" y="${y - 7}">port ${p.id} <tspan class="dim">${esc(p.name)}</tspan></text>`,
      `<text class="rate" x="${xRx + 10}" y="${y + 12}">${si(pr.rx, "pps")}</text>`,
      `<text class="dim" x="${xRx + portW - 8}" y="${y + 12}" text-anchor="end">${si(pr.rxb * 8, "bit/s")}</text>`);
  });
  out.push(`<rect class="node cls" x="${xCls}" y="${clsY - 30}" width="${clsW}" height="60" rx="6"/>`,
    `<text x="${xCls + clsW / 2}" y="${clsY - 6}" text-anchor="middle">table 0</text>`,
    `<text class="dim" x="${xCls + clsW / 2}" y="${clsY + 12}" text-anchor="middle">match → chain</text>`,
    dropLabel(xCls + clsW / 2, clsY + 46, r.drops.get("no_chain"), "no chain", "middle"));

  // Ports out.
  ports.forEach((p, i) => {
    const pr = r.ports.get(p.id) || {}, y = portY(i);
    out.push(`<rect class="node port${pr.tx > 0 ? " active" : ""}" x="${xTx}" y="${y - 24}" width="${portW}" height="48" rx="6"/>`,
      `<text x="${xTx + 10}" y="${y - 7}">port ${p.id} <tspan class="dim">${esc(p.name)}</tspan></text>`,
      `<text class="rate" x="${xTx + 10}" y="${y + 12}">${si(pr.tx, "pps")}</text>`,
      `<text class="dim" x="${xTx + portW - 8}" y="${y + 12}" text-anchor="end">${si(pr.txb * 8, "bit/s")}</text>`,
      dropLabel(xTx + 10, y + 38, (r.drops.get("tx_drop") || 0) > 0 ? pr.drop : 0, "not sent"));
  });

  // One lane per chain: label, hops, out.
  chains.forEach((c, i) => {
    const cr = r.chains.get(c.name) || {}, y = laneY(i), pps = cr.pkts;
    out.push(curve(xCls + clsW, clsY, xLane, y, pps));
    out.push(`<g class="lane${pps > 0 ? "" : " idle"}">`);
    out.push(`<rect class="node${pps > 0 ? " active" : ""}${cr.drop > 0 ? " dropped" : ""}" x="${xLane}" y="${y - 26}" width="${labelW}" height="52" rx="6"/>`,
      `<text x="${xLane + 10}" y="${y - 8}"><tspan class="dim">chain</tspan> ${esc(c.name)}</text>`,
      `<text class="rate" x="${xLane + 10}" y="${y + 11}">${si(pps, "pps")}</text>`,
      `<text class="dim" x="${xLane + labelW - 8}" y="${y + 11}" text-anchor="end">${si(cr.bytes * 8, "bit/s")}</text>`,
      cr.drop > 0 ? dropLabel(xLane + 10, y + 40, cr.drop, topReason(c, r)) : pastDrops(xLane + 10, y + 40, c));
    let x = xLane + labelW;
    // An NF's drops are its service's, over every chain it serves: shown
    // on the lanes whose chain is losing packets now.
    const dropping = cr.drop > 0;
    c.hops.forEach((h, k) => {
      const st = svc.get(h);
      const bx = xHops + k * (boxW + gap);
      out.push(arrow(x, y, bx, pps));
      const cls = st && st.rx > 0 && pps > 0 ? " active" : "";
      out.push(`<rect class="node${cls}${dropping && st && st.drop > 0 ? " dropped" : ""}" x="${bx}" y="${y - 26}" width="${boxW}" height="52" rx="6"/>`,
        `<text x="${bx + 10}" y="${y - 8}">${esc(h)}<tspan class="dim">${st ? (st.instances > 1 ? " ×" + st.instances : "") : " · no NF"}</tspan></text>`,
        `<text class="${st ? "rate" : "drop"}" x="${bx + 10}" y="${y + 11}">${st ? si(st.rx, "pps") : "not running"}</text>`);
      // Right-aligned beside the name and the rate: autoscaled, and a
      // rate that is the service's over every chain it serves.
      if (auto.has(h))
        out.push(`<text class="dim" x="${bx + boxW - 8}" y="${y - 8}" text-anchor="end">auto ${auto.get(h).min}–${auto.get(h).max}</text>`);
      if (st && lanesOf.get(h) > 1)
        out.push(`<text class="dim" x="${bx + boxW - 8}" y="${y + 11}" text-anchor="end">all chains</text>`);
      if (st) {
        const fw = boxW - 20, fill = Math.min(1, st.fill);
        out.push(`<rect x="${bx + 10}" y="${y + 18}" width="${fw}" height="3" rx="1.5" fill="#222c39"/>`,
          `<rect x="${bx + 10}" y="${y + 18}" width="${(fw * fill).toFixed(1)}" height="3" rx="1.5" fill="${fill > .9 ? "#ff5d5d" : fill > .5 ? "#f0b43c" : "#3fc1a5"}"/>`);
      }
      out.push(dropLabel(bx + 10, y + 40, dropping && st ? st.drop : 0, "at this service"));
      x = bx + boxW;
    });
    out.push(arrow(x, y, xOut, pps));
    if (c.out_port === null || c.out_port === undefined) {
      out.push(`<rect class="sink" x="${xOut}" y="${y - 16}" width="${outW}" height="32" rx="16"/>`,
        `<text class="drop" x="${xOut + outW / 2}" y="${y + 4}" text-anchor="middle">chain end ✕</text>`);
    } else {
      const paired = c.out_port === "paired";
      out.push(`<rect class="node${pps > 0 ? " active" : ""}" x="${xOut}" y="${y - 16}" width="${outW}" height="32" rx="16"/>`,
        `<text x="${xOut + outW / 2}" y="${y + 4}" text-anchor="middle">${paired ? "paired port" : "→ port " + esc(c.out_port)}</text>`);
      ports.forEach((p, j) => {
        if (paired || p.id === c.out_port)
          out.push(curve(xOut + outW, y, xTx, portY(j), paired ? Math.min(pps || 0, 1) : pps, paired ? " paired" : ""));
      });
    }
    out.push("</g>");
  });
  if (!chains.length)
    out.push(`<text class="more" x="${xLane}" y="${clsY}">no chain in force</text>`);
  if (hidden)
    out.push(`<text class="more" x="${xLane}" y="${H - 8}">and ${hidden} more chain${hidden > 1 ? "s" : ""} with less traffic: see the chains table</text>`);
  out.push("</svg>");
  el.innerHTML = out.join("");
}

// ---- tables ----

function dropChips(obj) {
  const parts = Object.entries(obj || {}).filter(([, v]) => v > 0)
    .map(([k, v]) => `<span class="chip drop">${esc(k)} <b>${count(v)}</b></span>`);
  return parts.length ? parts.join("") : `<span class="muted">none</span>`;
}

function fillBar(ring) {
  if (!ring || !ring.size) return "–";
  const f = ring.count / ring.size;
  return `<span class="ring"><span class="bar"><i class="${f > .9 ? "full" : f > .5 ? "warn" : ""}" style="width:${(100 * f).toFixed(0)}%"></i></span>` +
         `<small>${ring.pct ? `${Math.round(100 * f)}%` : `${count(ring.count)}/${count(ring.size)}`}</small></span>`;
}

function attr(v) {
  return v === undefined || v === null ? "" : String(Math.round(v * 1000) / 1000);
}

function tablePorts(s, r) {
  document.querySelector("#ports tbody").innerHTML = (s.ports || []).map(p => {
    const pr = r.ports.get(p.id) || {}, nic = p.nic || {};
    const drops = {};
    for (const k of Object.keys(PORT_DROPS)) drops[k] = k in p ? p[k] : nic[k];
    return `<tr data-port="${p.id}" data-rx-pps="${attr(pr.rx)}" data-tx-pps="${attr(pr.tx)}" class="${pr.rx || pr.tx ? "" : "idle"}">` +
      `<td>${p.id}</td><td>${esc(p.name)}</td><td class="n">${si(pr.rx, "")}</td><td class="n">${si(pr.rxb * 8, "")}</td>` +
      `<td class="n">${si(pr.tx, "")}</td><td class="n">${si(pr.txb * 8, "")}</td>` +
      `<td class="n">${count(p.rx)}</td><td class="n">${count(p.tx)}</td><td>${dropChips(drops)}</td></tr>`;
  }).join("");
}

function tableNfs(s, r) {
  const nfs = s.nfs || [];
  document.querySelector("#nfs tbody").innerHTML = nfs.length ? nfs.map(n => {
    const key = `${n.id}@${n.started_us}`, nr = r.nfs.get(key) || {};
    const ctr = Object.entries(n.counters || {}).map(([k, v]) => {
      const rate = r.nfctr.get(`${key}/${k}`);
      return `<span class="chip">${esc(k)} <b>${count(v)}</b>${rate > 0 ? ` <span class="muted">${si(rate, "/s")}</span>` : ""}</span>`;
    }).join("") || `<span class="muted">none</span>`;
    return `<tr data-nf="${n.id}" data-service="${esc(n.service_name)}" data-instance="${n.instance}" data-rx-pps="${attr(nr.rx)}" data-counters="${Object.keys(n.counters || {}).length}" class="${nr.rx ? "" : "idle"}">` +
      `<td>${n.id}</td><td>${esc(n.service_name)}</td><td>${n.instance}</td><td>${esc(n.name)}</td>` +
      `<td class="state-${esc(n.state)}">${esc(n.state)}</td><td>${n.cpu}</td>` +
      `<td class="n">${si(nr.rx, "")}</td><td class="n">${si(nr.tx, "")}</td>` +
      `<td class="n${nr.drop > 0 ? " hot" : ""}">${si(nr.drop, "")}</td><td>${fillBar(n.rx_ring)}</td>` +
      `<td>${dropChips({ nf_drop: n.act_drop, entry_drop: n.entry_drop })}</td><td>${ctr}</td></tr>`;
  }).join("") : `<tr><td colspan="12" class="muted">no NF attached: start one with ./go.sh NF</td></tr>`;
}

// What the autoscaler's state word means, with its numbers.
function autoscaleState(a, instances) {
  const p = a.policy || {}, pct = v => `${Math.round(100 * v)}%`;
  switch (a.state) {
  case "scaling": return "changing the instances now";
  case "cooldown": return `waits ${p.cooldown_s} s after a change`;
  case "high": return `a ring over ${pct(p.high_fill)} for ${a.high_s.toFixed(1)} s: ` +
    (instances < a.max ? `one more at ${p.up_s} s` : "at --max already");
  case "low": return `every ring under ${pct(p.low_fill)} for ${a.low_s.toFixed(1)} s: ` +
    (instances > a.min ? `one fewer at ${p.down_s} s` : "at --min already");
  default: return `rings between ${pct(p.low_fill)} and ${pct(p.high_fill)}`;
  }
}

function tableServices(s, r) {
  const svc = serviceStats(s, r);
  const services = s.services || [];
  document.querySelector("#services tbody").innerHTML = services.length ? services.map(v => {
    const st = svc.get(v.name) || { rx: 0, fill: 0 };
    const buckets = v.buckets || [], total = buckets.reduce((a, b) => a + b, 0);
    const inst = (v.nfs || []).map((nf, i) => {
      const b = buckets[i] || 0, share = total ? b / total : 0;
      return `<span class="inst" title="NF ${nf}: ${b} of the service's flow-hash buckets">` +
        `<b>#${(v.instance_nums || [])[i]}</b> <span class="muted">NF ${nf}</span> ` +
        `<span class="bar share"><i style="width:${(100 * share).toFixed(0)}%"></i></span> ${count(b)}</span>`;
    }).join("") || `<span class="muted">none running</span>`;
    const a = v.autoscale;
    let as = `<span class="muted">off</span>`;
    if (a) {
      const d = a.decisions || {};
      as = `<div><span class="as-state as-${esc(a.state)}">${esc(a.state)}</span> ${a.min}–${a.max} instances · ` +
        `<span class="muted">${esc(autoscaleState(a, v.instances))}</span></div>` +
        `<div class="muted">decisions: ${d.out || 0} out, ${d.in || 0} in${d.refused ? `, <span class="hot">${d.refused} refused</span>` : ""}</div>` +
        (a.last ? `<div class="last">last${a.last_ago_s !== null && a.last_ago_s !== undefined ? ` (${duration(a.last_ago_s)} ago)` : ""}: ${esc(a.last)}</div>` : "");
    }
    return `<tr data-service="${esc(v.name)}" data-instances="${v.instances}" data-buckets="${buckets.join(",")}"` +
      ` data-autoscale="${a ? esc(a.state) : "off"}" data-last="${a && a.last ? esc(a.last) : ""}" class="${st.rx ? "" : "idle"}">` +
      `<td>${esc(v.name)}</td><td class="n">${v.instances}</td><td>${inst}</td>` +
      `<td>${v.stateful ? "keeps flow state" : `<span class="muted">stateless</span>`}</td>` +
      `<td class="n">${si(st.rx, "")}</td><td>${fillBar(st.fill !== undefined ? { count: Math.round(st.fill * 1000), size: 1000, pct: true } : null)}</td>` +
      `<td>${as}</td></tr>`;
  }).join("") : `<tr><td colspan="7" class="muted">no service in use</td></tr>`;
}

// Fault-tolerant services (onvmctl ft): shown only when one runs.
function tableFt(s) {
  const ft = s.ft || [];
  document.getElementById("ft-panel").hidden = ft.length === 0;
  const us = ns => ns >= 1e6 ? `${(ns / 1e6).toFixed(1)} ms` : `${Math.round(ns / 1e3)} µs`;
  document.querySelector("#ft tbody").innerHTML = ft.map(f => {
    const cp = f.last_checkpoint || {}, h = f.hold_time || {};
    return `<tr data-ft="${esc(f.service)}" data-protected="${f.protected ? 1 : 0}" class="${f.protected ? "" : "hot"}">` +
      `<td>${esc(f.service)}</td><td>${f.active_pid || "none"} / ${f.standby_pid || "none"}${f.protected ? "" : ` <span class="muted">(not in sync)</span>`}</td>` +
      `<td class="n">${count(f.epochs)}</td>` +
      `<td>${count(cp.flows)} flows, ${si(cp.bytes, "B")} in ${us((cp.total_us || 0) * 1e3)}</td>` +
      `<td class="n">${count(f.held_packets)}</td><td>${us(h.p50_ns || 0)} / ${us(h.p99_ns || 0)}</td>` +
      `<td class="n">${count(f.failovers)}</td><td class="n${f.lost_at_failover > 0 ? " hot" : ""}">${count(f.lost_at_failover)}</td>` +
      `<td class="muted">${esc(f.last_event || "")}</td></tr>`;
  }).join("");
}

function tableChains(s, r) {
  document.querySelector("#chains tbody").innerHTML = (s.chains || []).map(c => {
    const cr = r.chains.get(c.name) || {};
    const outp = c.out_port === null || c.out_port === undefined ? `<span class="muted">none (drop)</span>` : esc(c.out_port);
    return `<tr data-chain="${esc(c.name)}" data-pps="${attr(cr.pkts)}" data-bps="${attr(cr.bytes * 8)}" class="${cr.pkts ? "" : "idle"}">` +
      `<td>${c.id}</td><td>${esc(c.name)}</td><td>${(c.hops || []).map(esc).join(" → ")}</td><td>${outp}</td>` +
      `<td class="n">${si(cr.pkts, "")}</td><td class="n">${si(cr.bytes * 8, "")}</td>` +
      `<td class="n${cr.drop > 0 ? " hot" : ""}">${si(cr.drop, "")}</td>` +
      `<td class="n">${count(c.pkts)}</td><td class="n">${count(c.bytes)}</td><td>${dropChips(c.drops)}</td></tr>`;
  }).join("");
}

function dropTotals(s) {
  const t = new Map();
  for (const [k, v] of Object.entries(s.drops || {})) t.set(k, { where: DATA_PATH_DROPS[k] || "data path", v });
  for (const p of s.ports || [])
    for (const [k, where] of Object.entries(PORT_DROPS)) {
      const v = Number(k in p ? p[k] : (p.nic || {})[k]) || 0;
      const e = t.get(k) || { where, v: 0 };
      e.v += v;
      t.set(k, e);
    }
  return t;
}

function tableDrops(s, r) {
  const rows = [...dropTotals(s)].sort((a, b) => (r.drops.get(b[0]) || 0) - (r.drops.get(a[0]) || 0) || b[1].v - a[1].v);
  // The reasons that dropped anything, busiest first; the others named
  // on one line, so the table stays short on a healthy platform.
  const none = rows.filter(([, e]) => !e.v).map(([k]) => k);
  document.querySelector("#drops tbody").innerHTML = rows.filter(([, e]) => e.v).map(([k, e]) => {
    const rate = r.drops.get(k);
    return `<tr data-drop="${esc(k)}" data-pps="${attr(rate)}"><td>${esc(k)}</td><td>${esc(e.where)}</td>` +
      `<td class="n${rate > 0 ? " hot" : ""}">${si(rate, "")}</td><td class="n">${count(e.v)}</td></tr>`;
  }).join("") + (none.length ? `<tr class="idle"><td colspan="4">nothing dropped for: ${none.map(esc).join(", ")}</td></tr>` : "");
}

// ---- header ----

function setText(id, text) { document.getElementById(id).textContent = text; }

function header(s, r) {
  let rx = null, tx = null, rxb = null, txb = null, drop = null;
  for (const pr of r.ports.values()) {
    rx = (rx || 0) + (pr.rx || 0); tx = (tx || 0) + (pr.tx || 0);
    rxb = (rxb || 0) + (pr.rxb || 0) * 8; txb = (txb || 0) + (pr.txb || 0) * 8;
  }
  for (const v of r.drops.values()) drop = (drop || 0) + v;
  let total = 0;
  for (const e of dropTotals(s).values()) total += e.v;
  setText("kpi-rx", si(rx, "pps")); setText("kpi-rx-bps", rxb === null ? "" : si(rxb, "bit/s"));
  setText("kpi-tx", si(tx, "pps")); setText("kpi-tx-bps", txb === null ? "" : si(txb, "bit/s"));
  // Where most drops happen now, beside the total: the first place to look.
  let top = null;
  for (const [k, v] of r.drops) if (v > 0 && (!top || v > top[1])) top = [k, v];
  setText("kpi-drop", si(drop, "pps"));
  setText("kpi-drop-total", `${top ? `mostly ${top[0]} · ` : ""}${count(total)} since start`);
  document.getElementById("kpi-drop").classList.toggle("hot", drop > 0);
  const running = (s.nfs || []).filter(n => n.state === "running").length;
  setText("kpi-nfs", String(running));
  setText("kpi-chains", `${(s.chains || []).length} chain${(s.chains || []).length === 1 ? "" : "s"}, ${(s.services || []).length} services`);
  const mp = s.mempool || {};
  setText("kpi-mbufs", `${count(mp.in_use)} / ${count(mp.size)}`);
  const bar = document.getElementById("kpi-mbufs-bar"), f = mp.size ? mp.in_use / mp.size : 0;
  bar.style.width = (100 * f).toFixed(1) + "%";
  bar.className = f > .9 ? "full" : f > .6 ? "warn" : "";
}

// ---- one reading ----

let charts = null;

function update(s) {
  const cur = counters(s);
  const dt = prev ? s.uptime_s - prev.s.uptime_s : 0;
  const r = rates(prev && prev.c, cur, dt);
  const t = s.uptime_s;
  if (firstT === null) firstT = t;
  samples++;

  if (dt > 0) {
    for (const [id, pr] of r.ports) { remember(`port/${id}/rx`, t, pr.rx); remember(`port/${id}/tx`, t, pr.tx); }
    for (const [k, nr] of r.nfs) remember(`nf/${k}`, t, nr.rx);
    for (const [k, cr] of r.chains) remember(`chain/${k}`, t, cr.pkts);
    for (const [k, v] of r.drops) remember(`drop/${k}`, t, v);
  }
  header(s, r);
  drawFlow(s, r);
  tablePorts(s, r);
  tableServices(s, r);
  tableNfs(s, r);
  tableChains(s, r);
  tableDrops(s, r);
  tableFt(s);

  const portSeries = [];
  for (const p of s.ports || []) {
    const pr = r.ports.get(p.id) || {};
    portSeries.push({ key: `port/${p.id}/rx`, name: `port ${p.id} rx`, color: colorOf(`port/${p.id}`, PALETTE), value: pr.rx });
    portSeries.push({ key: `port/${p.id}/tx`, name: `port ${p.id} tx`, color: colorOf(`port/${p.id}`, PALETTE), dash: true, value: pr.tx });
  }
  charts.ports.draw(portSeries, t);
  charts.chains.draw((s.chains || []).filter(c => (c.hops || []).length && (c.pkts > 0 || (s.chains || []).length <= 12)).slice(0, 12).map(c => ({
    key: `chain/${c.name}`, name: c.name, color: colorOf(`chain/${c.name}`, PALETTE), value: (r.chains.get(c.name) || {}).pkts })), t);
  charts.nfs.draw((s.nfs || []).filter(n => n.state === "running").map(n => {
    const k = `${n.id}@${n.started_us}`;
    return { key: `nf/${k}`, name: `${n.service_name}/${n.instance} (NF ${n.id})`, color: colorOf(`nf/${k}`, PALETTE), value: (r.nfs.get(k) || {}).rx };
  }), t);
  charts.drops.draw([...dropTotals(s)].filter(([k, e]) => e.v > 0).map(([k]) => ({
    key: `drop/${k}`, name: k, color: colorOf(`drop/${k}`, DROP_PALETTE), value: r.drops.get(k) })), t);

  document.body.dataset.samples = String(samples);
  document.body.dataset.status = "live";
  setText("status-text", `live · up ${duration(s.uptime_s)} · every ${interval / 1000} s`);
  prev = { s, c: cur };
}

async function poll() {
  try {
    const res = await fetch("/api/stats", { cache: "no-store" });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    update(await res.json());
  } catch (e) {
    document.body.dataset.status = "down";
    setText("status-text", `no answer from the manager (${e.message}); retrying`);
  }
  setTimeout(poll, interval);
}

window.addEventListener("DOMContentLoaded", () => {
  charts = {
    ports: new Chart(document.getElementById("chart-ports"), document.getElementById("legend-ports"), "pps"),
    chains: new Chart(document.getElementById("chart-chains"), document.getElementById("legend-chains"), "pps"),
    nfs: new Chart(document.getElementById("chart-nfs"), document.getElementById("legend-nfs"), "pps"),
    drops: new Chart(document.getElementById("chart-drops"), document.getElementById("legend-drops"), "pps"),
  };
  poll();
});
