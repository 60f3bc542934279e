// kgloader view: draws the nodes and relationships of one prepared query (data in #kg-data) with d3.
// Layout by d3-force, computed before the first paint; captions are SVG text kept at a readable size
// on screen whatever the zoom; a click shows a node's or a relationship's details on the right.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("kg-data").textContent);
  const $ = (id) => document.getElementById(id);
  const FONT = 12;          // caption size on screen, in px, at any zoom below 1
  const REL_FONT = 11;
  const text = (value) => (value === null || value === undefined ? "" : String(value));
  const esc = (value) => text(value).replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;",
    '"': "&quot;", "'": "&#39;"}[c]));

  // heading: the query, its parameters, what the picture shows
  $("title").textContent = data.title;
  const params = Object.entries(data.params);
  $("params").innerHTML = params.length
    ? params.map(([k, v]) => `${esc(k)} <code>${v === "" ? "(any)" : esc(JSON.stringify(v))}</code>`).join(" · ")
    : "no parameters";
  $("about").textContent = `${data.draws ? "Draws " + data.draws + ". " : ""}` +
    `${data.nodes.length} nodes, ${data.rels.length} relationships.`;

  if (!data.nodes.length) {
    const msg = $("message");
    msg.hidden = false;
    msg.textContent = `Nothing to draw: ${data.title} found no results for these parameters.`;
    $("details").innerHTML = '<p class="hint">The query returned no rows.</p>';
    $("legend").hidden = true;
    $("tools").hidden = true;
    return;
  }
  if (typeof d3 === "undefined") {
    const msg = $("message");
    msg.hidden = false;
    msg.textContent = `This page needs ${data.d3File} in its folder (kgloader view writes it there), ` +
      "or run kgloader view with --standalone for a page that holds everything.";
    return;
  }

  const nodes = data.nodes.map((n) => Object.assign({}, n));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const links = data.rels.map((r) => Object.assign({}, r, {source: byId.get(r.source), target: byId.get(r.target),
    caption: r.type.toLowerCase().replace(/_/g, " ")}));
  const neighbours = new Map(nodes.map((n) => [n.id, new Set([n.id])]));
  links.forEach((l) => { neighbours.get(l.source.id).add(l.target.id); neighbours.get(l.target.id).add(l.source.id); });

  // text widths, so that the layout leaves room for the captions
  const ctx = document.createElement("canvas").getContext("2d");
  ctx.font = `${FONT}px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif`;
  nodes.forEach((n) => { n.width = ctx.measureText(n.caption).width; });

  // layout: force-directed; on a timeline, dated events are placed left to right by date
  const canvas = $("canvas");
  const box = () => canvas.getBoundingClientRect();
  const aspect = Math.max(0.4, Math.min(2.5, box().width / Math.max(1, box().height)));
  const sim = d3.forceSimulation(nodes)
    .force("link", d3.forceLink(links).distance((l) => 60 + l.source.radius + l.target.radius).strength(0.5))
    .force("charge", d3.forceManyBody().strength(-320).distanceMax(700))
    .force("collide", d3.forceCollide((n) => Math.max(n.radius + 6, n.width / 2 + 8)).strength(0.9).iterations(2))
    .force("x", d3.forceX(0).strength(0.04 / Math.sqrt(aspect)))
    .force("y", d3.forceY(0).strength(0.04 * Math.sqrt(aspect)))
    .stop();
  const dated = nodes.filter((n) => n.date && n.shape === "event");
  if (data.layout === "timeline" && dated.length > 1) {
    // in date order, evenly spaced (a linear time scale would crowd a busy week between quiet years)
    const dates = Array.from(new Set(dated.map((n) => n.date))).sort();
    const step = Math.max(70, Math.min(140, 1100 / dates.length));
    dated.forEach((n) => { n.when = (dates.indexOf(n.date) - (dates.length - 1) / 2) * step; n.x = n.when; });
    sim.force("x", d3.forceX((n) => (n.when === undefined ? 0 : n.when))
      .strength((n) => (n.when === undefined ? 0.02 : 0.9)));
  }
  sim.tick(Math.ceil(Math.log(sim.alphaMin()) / Math.log(1 - sim.alphaDecay())));

  // drawing
  const svg = d3.select("#graph");
  const defs = svg.append("defs");
  const colours = Array.from(new Set(links.map((l) => l.colour)));
  colours.forEach((c, i) => defs.append("marker").attr("id", `arrow${i}`).attr("viewBox", "0 -4 8 8")
    .attr("refX", 8).attr("refY", 0).attr("markerWidth", 7).attr("markerHeight", 7).attr("orient", "auto")
    .append("path").attr("d", "M0,-4L8,0L0,4").attr("fill", c));
  const layer = svg.append("g");
  const linkLayer = layer.append("g");
  const linkPaths = linkLayer.selectAll("line.link:not(.hit)").data(links).join("line").attr("class", "link")
    .attr("stroke", (l) => l.colour).attr("stroke-width", 1.6)
    .attr("marker-end", (l) => `url(#arrow${colours.indexOf(l.colour)})`);
  const linkHits = linkLayer.selectAll("line.hit").data(links).join("line").attr("class", "link hit")
    .on("click", (event, l) => { event.stopPropagation(); select(l, "rel"); });
  linkHits.append("title").text((l) => `${l.type}: ${l.source.full} → ${l.target.full}`);
  const relCaptions = layer.append("g").attr("class", "rel-captions").selectAll("text").data(links).join("text")
    .attr("class", "rel-caption").attr("text-anchor", "middle").attr("dy", "-0.3em")
    .text((l) => l.caption);
  const nodeGroups = layer.append("g").selectAll("g").data(nodes).join("g")
    .attr("class", "node").attr("data-id", (n) => n.id).attr("data-label", (n) => n.label)
    .on("click", (event, n) => { event.stopPropagation(); select(n, "node"); });
  nodeGroups.each(function (n) { shape(d3.select(this), n.shape, n.radius).attr("class", "shape")
    .attr("fill", n.colour).attr("stroke", n.border); });
  nodeGroups.append("title").text((n) => `${n.label}: ${n.full}`);
  const labelLayer = layer.append("g").attr("class", "captions");
  const captions = labelLayer.selectAll("text").data(nodes).join("text").attr("class", "caption")
    .attr("text-anchor", "middle").attr("data-id", (n) => n.id).text((n) => n.caption);

  function shape(g, kind, r) {
    if (kind === "event") return g.append("rect").attr("x", -r).attr("y", -r).attr("width", 2 * r)
      .attr("height", 2 * r).attr("rx", r / 3).attr("transform", "rotate(45)");
    if (kind === "article") return g.append("rect").attr("x", -r * 0.8).attr("y", -r).attr("width", 1.6 * r)
      .attr("height", 2 * r).attr("rx", 2);
    if (kind === "evidence") return g.append("rect").attr("x", -r).attr("y", -r).attr("width", 2 * r)
      .attr("height", 2 * r).attr("rx", 1);
    return g.append("circle").attr("r", r);
  }

  let scale = 1;
  // a caption sits below its node, or above, right or left of it where below would cover another caption
  const gap = (n) => n.radius * (n.shape === "event" ? 1.3 : 1) + 2;
  const SIDES = ["below", "above", "right", "left"];
  const captionX = (n, s) => n.x + (n.side === "right" ? 1 : n.side === "left" ? -1 : 0) * (gap(n) + n.width * s / 2 + 2);
  const captionY = (n, s) => n.y + (n.side === "above" ? -gap(n) - FONT * s * 0.3
    : n.side === "right" || n.side === "left" ? FONT * s * 0.35 : gap(n) + FONT * s);
  function place() {
    const s = Math.max(1, 1 / scale);  // captions keep their size on screen when zoomed out
    linkPaths.each(function (l) { end(d3.select(this), l); });
    linkHits.each(function (l) { end(d3.select(this), l); });
    nodeGroups.attr("transform", (n) => `translate(${n.x},${n.y})`);
    captions.attr("x", (n) => captionX(n, s)).attr("y", (n) => captionY(n, s)).style("font-size", `${FONT * s}px`);
    relCaptions.attr("x", (l) => (l.source.x + l.target.x) / 2).attr("y", (l) => (l.source.y + l.target.y) / 2)
      .style("font-size", `${REL_FONT * s}px`);
  }
  function end(line, l) {
    const dx = l.target.x - l.source.x, dy = l.target.y - l.source.y, len = Math.hypot(dx, dy) || 1;
    const pad = l.target.radius * (l.target.shape === "event" ? 1.35 : 1.05) + 2;
    line.attr("x1", l.source.x).attr("y1", l.source.y)
      .attr("x2", l.target.x - (dx / len) * pad).attr("y2", l.target.y - (dy / len) * pad);
  }

  // captions that would overlap are left out, the most telling first (selected, entities, the positions
  // they hold, articles, events, evidence; within each the best connected): every caption shown can be read
  const rank = {entity: 0, position: 1, article: 2, event: 3, evidence: 4};
  const rankOf = (n) => rank[n.label === "Membership" ? "position" : n.shape];
  const order = nodes.slice().sort((a, b) => rankOf(a) - rankOf(b) ||
    neighbours.get(b.id).size - neighbours.get(a.id).size || a.caption.localeCompare(b.caption));
  let current = d3.zoomIdentity;
  let focus = null;
  function declutter() {
    const t = current, grow = Math.max(1, t.k), taken = [];
    const first = focus ? order.filter((n) => focus.has(n.id)).concat(order.filter((n) => !focus.has(n.id))) : order;
    first.forEach((n) => {
      const w = n.width * grow + 4, h = FONT * grow * 1.25;
      const cx = t.applyX(n.x), cy = t.applyY(n.y), off = gap(n) * t.k;
      const boxes = {below: [cx - w / 2, cy + off], above: [cx - w / 2, cy - off - h],
                     right: [cx + off, cy - h / 2], left: [cx - off - w, cy - h / 2]};
      const free = ([x, y]) => !taken.some((r) => x < r[0] + r[2] && r[0] < x + w && y < r[1] + r[3] && r[1] < y + h);
      n.side = SIDES.find((side) => free(boxes[side]));
      n.shown = n.side !== undefined;
      if (n.shown) taken.push([...boxes[n.side], w, h]);
    });
    const s = Math.max(1, 1 / scale);
    captions.attr("display", (n) => (n.shown ? null : "none"))
      .attr("x", (n) => captionX(n, s)).attr("y", (n) => captionY(n, s));
    const few = links.length <= 60 || t.k >= 1.5;
    links.forEach((l) => {
      l.shown = false;
      if (!few && !(focus && focus.has(l.source.id) && focus.has(l.target.id))) return;
      const w = l.caption.length * REL_FONT * 0.6 * grow + 4, h = REL_FONT * grow * 1.2;
      const x = t.applyX((l.source.x + l.target.x) / 2) - w / 2, y = t.applyY((l.source.y + l.target.y) / 2) - h;
      l.shown = !taken.some((r) => x < r[0] + r[2] && r[0] < x + w && y < r[1] + r[3] && r[1] < y + h);
      if (l.shown) taken.push([x, y, w, h]);
    });
    relCaptions.attr("display", (l) => (l.shown ? null : "none"));
  }
  let pending = 0;
  const zoom = d3.zoom().scaleExtent([0.05, 8]).on("zoom", (event) => {
    const before = scale;
    scale = event.transform.k;
    current = event.transform;
    layer.attr("transform", event.transform);
    if (Math.max(1, 1 / before) !== Math.max(1, 1 / scale)) place();
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(declutter);
  });
  svg.call(zoom).on("dblclick.zoom", null).on("click", () => select(null));
  function fit(animate) {
    const {width, height} = box();
    let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
    nodes.forEach((n) => {
      const half = Math.max(n.radius, n.width / 2);
      x0 = Math.min(x0, n.x - half); x1 = Math.max(x1, n.x + half);
      y0 = Math.min(y0, n.y - n.radius); y1 = Math.max(y1, n.y + n.radius + 2 * FONT);
    });
    const k = Math.min(1.6, (width - 40) / (x1 - x0 || 1), (height - 60) / (y1 - y0 || 1));
    const t = d3.zoomIdentity.translate(width / 2 - k * (x0 + x1) / 2, height / 2 + 14 - k * (y0 + y1) / 2).scale(k);
    (animate ? svg.transition().duration(400) : svg).call(zoom.transform, t);
  }
  const drag = d3.drag().on("drag", (event, n) => { n.x = event.x; n.y = event.y; place(); })
    .on("end", () => declutter());
  nodeGroups.call(drag);

  // legend: every kind drawn, as in Neo4j Browser's style (cypher/browser.grass)
  const legend = $("legend");
  legend.innerHTML = "<h2>Nodes</h2><ul id=\"legend-nodes\"></ul>" +
    (data.relLegend.length ? "<h2>Relationships</h2><ul id=\"legend-rels\"></ul>" : "");
  data.legend.forEach((entry) => {
    const li = document.createElement("li");
    li.dataset.label = entry.label;
    li.innerHTML = `<svg width="16" height="16" viewBox="-8 -8 16 16"></svg><span class="name">${esc(entry.label)}</span>` +
      ` <span class="count">${entry.count}</span>`;
    shape(d3.select(li.querySelector("svg")), entry.shape, 5.5).attr("fill", entry.colour).attr("stroke", entry.border)
      .attr("stroke-width", 1.5);
    li.addEventListener("click", () => highlight((n) => n.label === entry.label));
    $("legend-nodes").appendChild(li);
  });
  data.relLegend.forEach((entry) => {
    const li = document.createElement("li");
    li.dataset.type = entry.type;
    li.innerHTML = `<svg width="16" height="8"><line x1="0" y1="4" x2="16" y2="4" stroke="${esc(entry.colour)}" ` +
      `stroke-width="2"></line></svg><span class="name">${esc(entry.type)}</span> <span class="count">${entry.count}</span>`;
    $("legend-rels").appendChild(li);
  });

  // details
  const details = $("details");
  const hint = '<p class="hint">Click a node or a line for its details: dates, places, the articles, ' +
    "the sentence and rule behind a fact. Drag to move, scroll to zoom.</p>";
  details.innerHTML = hint;
  function articleList(list) {
    if (!list.length) return "";
    return "<h3>Articles</h3><ul>" + list.map((id) => ({identifier: id, ...(data.articles[id] || {})}))
      .map((a) => `<li><b>${esc(a.identifier)}</b>` +
      (a.headline ? `: ${esc(a.headline)}` : "") + (a.published ? ` <span class="source">(${esc(a.published)})</span>` : "") +
      "</li>").join("") + "</ul>";
  }
  function value(v) { return Array.isArray(v) ? v.map(esc).join(", ") : esc(v); }
  function nodeDetails(n) {
    const parts = [`<h2>${esc(n.full)}</h2><span class="chip" style="background:${esc(n.colour)}">${esc(n.label)}</span>`];
    const rows = n.props.map(([k, v]) => `<tr><td>${esc(k)}</td><td>${value(v)}</td></tr>`);
    if (n.role) rows.push(`<tr><td>role</td><td>${esc(n.role)}</td></tr>`);
    if (n.places.length) rows.push(`<tr><td>place</td><td>${n.places.map((p) => esc(p.name)).join(", ")}</td></tr>`);
    const byType = new Map();
    links.forEach((l) => {
      const [other, way] = l.source === n ? [l.target, "→"] : l.target === n ? [l.source, "←"] : [null, ""];
      if (!other) return;
      const key = `${way} ${l.type.toLowerCase()}`;
      if (!byType.has(key)) byType.set(key, []);
      byType.get(key).push(`<a data-go="${esc(other.id)}">${esc(other.full)}</a>`);
    });
    byType.forEach((names, key) => rows.push(`<tr><td>${esc(key)}</td><td>${names.join(", ")}</td></tr>`));
    parts.push(`<table>${rows.join("")}</table>`);
    if (n.evidence.length) {
      parts.push("<h3>Evidence</h3>" + n.evidence.map((e) => `<blockquote class="sentence">${esc(e.sentence)}</blockquote>` +
        `<div class="source">rule <code>${esc(e.rule)}</code> · ${esc(e.article)}</div>`).join(""));
    }
    parts.push(articleList(n.articles));
    parts.push(`<div class="uri">${esc(n.uri)}</div>`);
    return parts.join("");
  }
  function relDetails(l) {
    return `<h2>${esc(l.type)}</h2><table><tr><td>from</td><td><a data-go="${esc(l.source.id)}">${esc(l.source.full)}</a>` +
      ` <span class="chip" style="background:${esc(l.source.colour)}">${esc(l.source.label)}</span></td></tr>` +
      `<tr><td>to</td><td><a data-go="${esc(l.target.id)}">${esc(l.target.full)}</a>` +
      ` <span class="chip" style="background:${esc(l.target.colour)}">${esc(l.target.label)}</span></td></tr></table>` +
      articleList(l.articles);
  }
  details.addEventListener("click", (event) => {
    const go = event.target.closest("[data-go]");
    if (go) select(byId.get(go.dataset.go), "node");
  });
  function select(item, kind) {
    nodeGroups.classed("selected", (n) => n === item);
    linkPaths.classed("selected", (l) => l === item);
    if (!item) {
      nodeGroups.classed("faded", false); captions.classed("faded", false); linkPaths.classed("faded", false);
      relCaptions.classed("faded", false);
      details.innerHTML = hint;
      delete details.dataset.selected;
      focus = null;
      declutter();
      return;
    }
    const keep = kind === "node" ? neighbours.get(item.id) : new Set([item.source.id, item.target.id]);
    focus = keep;
    declutter();
    nodeGroups.classed("faded", (n) => !keep.has(n.id));
    captions.classed("faded", (n) => !keep.has(n.id));
    const away = (l) => (kind === "node" ? l.source !== item && l.target !== item : l !== item);
    linkPaths.classed("faded", away);
    relCaptions.classed("faded", away);
    details.innerHTML = kind === "node" ? nodeDetails(item) : relDetails(item);
    details.dataset.selected = item.id;
  }
  function highlight(test) {
    nodeGroups.classed("found", (n) => test(n));
  }
  $("search").addEventListener("input", (event) => {
    const wanted = event.target.value.trim().toLowerCase();
    highlight((n) => wanted !== "" && (n.full.toLowerCase().includes(wanted) ||
      n.props.some(([, v]) => text(v).toLowerCase().includes(wanted))));
  });
  $("fit").addEventListener("click", () => fit(true));
  window.addEventListener("resize", () => fit(false));

  place();
  fit(false);
  declutter();
  document.body.dataset.drawn = "true";  // for tests and scripts: the picture is complete
})();
