/* Everything on the map besides the camera symbols: graticule, legend, menu, calls, search, wedges. */
(function () {
  "use strict";

  const { KIND_LAYERS, KIND_STYLE, drawSymbol } = window.RtccCameras;
  const HIGHLIGHT = "#F0E442";

  /** Latitude/longitude lines for the plain base map, spaced to suit the zoom. */
  const Graticule = L.GridLayer.extend({
    options: { pane: "tilePane", zIndex: 1 },
    createTile(coords) {
      const tile = L.DomUtil.create("canvas", "rtcc-graticule-tile");
      const size = this.getTileSize();
      tile.width = size.x; tile.height = size.y;
      const ctx = tile.getContext("2d");
      const nw = this._map.unproject(coords.scaleBy(size), coords.z);
      const se = this._map.unproject(coords.add([1, 1]).scaleBy(size), coords.z);
      const degPerPx = (se.lng - nw.lng) / size.x;
      const steps = [30, 10, 5, 2, 1, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001, 0.0005];
      const step = steps.find((s) => s / degPerPx < 260) || 0.0005;
      ctx.strokeStyle = "rgba(150,170,190,0.13)";
      ctx.lineWidth = 1;
      ctx.beginPath();
      for (let lon = Math.ceil(nw.lng / step) * step; lon <= se.lng; lon += step) {
        const x = Math.round((lon - nw.lng) / degPerPx) + 0.5;
        ctx.moveTo(x, 0); ctx.lineTo(x, size.y);
      }
      for (let lat = Math.ceil(se.lat / step) * step; lat <= nw.lat; lat += step) {
        const p = this._map.project([lat, nw.lng], coords.z).subtract(coords.scaleBy(size));
        const y = Math.round(p.y) + 0.5;
        ctx.moveTo(0, y); ctx.lineTo(size.x, y);
      }
      ctx.stroke();
      return tile;
    },
  });

  function swatchCanvas(draw) {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 18;
    canvas.className = "rtcc-swatch";
    draw(canvas.getContext("2d"));
    return canvas;
  }

  /** The layer list with a symbol, a tick box and a count per layer. */
  const Legend = L.Control.extend({
    options: { position: "topright" },
    initialize(onToggle, options) { L.setOptions(this, options); this.onToggle = onToggle; this.rows = {}; },
    onAdd() {
      const box = L.DomUtil.create("div", "rtcc-legend");
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      L.DomUtil.create("div", "rtcc-legend-title", box).textContent = "Layers";
      const entries = KIND_LAYERS.map((layer, code) => [layer, KIND_STYLE[code].label,
        (ctx) => drawSymbol(ctx, code, 9, 9, 5.5, false)]);
      entries.push(["calls", "Active calls", (ctx) => {
        ctx.beginPath(); ctx.arc(9, 9, 6.5, 0, 2 * Math.PI); ctx.strokeStyle = "#D55E00"; ctx.lineWidth = 3; ctx.stroke();
        ctx.beginPath(); ctx.arc(9, 9, 2.2, 0, 2 * Math.PI); ctx.fillStyle = "#D55E00"; ctx.fill();
      }]);
      entries.push(["search", "Search radius", (ctx) => {
        ctx.setLineDash([3, 2]); ctx.beginPath(); ctx.arc(9, 9, 7, 0, 2 * Math.PI);
        ctx.strokeStyle = HIGHLIGHT; ctx.lineWidth = 1.5; ctx.stroke();
      }]);
      for (const [layer, label, draw] of entries) {
        const row = L.DomUtil.create("label", "rtcc-legend-row", box);
        const tick = L.DomUtil.create("input", "", row);
        tick.type = "checkbox"; tick.checked = true; tick.dataset.layer = layer;
        tick.addEventListener("change", () => this.onToggle(layer, tick.checked));
        row.appendChild(swatchCanvas(draw));
        L.DomUtil.create("span", "rtcc-legend-label", row).textContent = label;
        const count = L.DomUtil.create("span", "rtcc-legend-count", row);
        this.rows[layer] = { tick, count };
      }
      const foot = L.DomUtil.create("div", "rtcc-legend-foot", box);
      foot.textContent = "Hollow: awaiting privacy review · dashed ring: direction unknown";
      return box;
    },
    setChecked(layer, on) { if (this.rows[layer]) this.rows[layer].tick.checked = on; },
    setCount(layer, n) { if (this.rows[layer]) this.rows[layer].count.textContent = n.toLocaleString("en-US"); },
  });

  /** A small right-click menu on the map: "Find cameras here". */
  class ContextMenu {
    constructor(map, onFind) {
      this.map = map;
      this.el = L.DomUtil.create("div", "rtcc-context-menu", map.getContainer());
      this.el.hidden = true;
      L.DomEvent.disableClickPropagation(this.el);
      this.where = L.DomUtil.create("div", "rtcc-context-where", this.el);
      const find = L.DomUtil.create("button", "rtcc-context-find", this.el);
      find.type = "button";
      find.textContent = "Find cameras here";
      find.addEventListener("click", () => { const at = this.latlng; this.hide(); onFind(at); });
      const centre = L.DomUtil.create("button", "rtcc-context-centre", this.el);
      centre.type = "button";
      centre.textContent = "Centre map here";
      centre.addEventListener("click", () => { const at = this.latlng; this.hide(); map.panTo(at); });
      map.on("click movestart zoomstart", () => this.hide());
      document.addEventListener("keydown", (e) => { if (e.key === "Escape") this.hide(); });
    }
    show(point, latlng) {
      this.latlng = latlng;
      this.where.textContent = `${latlng.lat.toFixed(5)}, ${latlng.lng.toFixed(5)}`;
      this.el.hidden = false;
      const box = this.map.getSize();
      const x = Math.min(point.x, box.x - this.el.offsetWidth - 4);
      const y = Math.min(point.y, box.y - this.el.offsetHeight - 4);
      this.el.style.left = `${x}px`;
      this.el.style.top = `${y}px`;
    }
    hide() { this.el.hidden = true; }
    get open() { return !this.el.hidden; }
  }

  function priorityClass(priority) {
    if (priority === null || priority === undefined) return "unknown";
    if (priority >= 8) return "high";
    if (priority >= 5) return "medium";
    return "low";
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }

  /** Active calls as target markers coloured by priority. */
  class CallsLayer {
    constructor(map, onClick) {
      this.group = L.layerGroup().addTo(map);
      this.markers = new Map();
      this.onClick = onClick;
    }
    put(call) {
      this.remove(call.id);
      const icon = L.divIcon({ className: `rtcc-call rtcc-call-${priorityClass(call.priority)}`,
        html: "<span></span>", iconSize: [24, 24], iconAnchor: [12, 12] });
      const marker = L.marker([call.lat, call.lon], { icon, keyboard: false, riseOnHover: true,
        zIndexOffset: call.priority || 0 });
      const code = call.code ? ` (${escapeHtml(call.code)})` : "";
      const prio = call.priorityText || (call.priority ?? "–");
      marker.bindTooltip(`<b>${escapeHtml(call.label)}</b>${code}<br>${escapeHtml(call.address || "no address")}` +
        `<br><span class="rtcc-dim">${escapeHtml(call.id)} · priority ${escapeHtml(prio)} · ${escapeHtml(call.status || "")}</span>`,
        { direction: "top", offset: [0, -10], className: "rtcc-tooltip" });
      marker.on("click", () => this.onClick(call.id));
      marker.addTo(this.group);
      this.markers.set(call.id, marker);
    }
    remove(id) {
      const marker = this.markers.get(id);
      if (marker) { this.group.removeLayer(marker); this.markers.delete(id); }
      return Boolean(marker);
    }
    clear() { this.group.clearLayers(); this.markers.clear(); }
    get ids() { return Array.from(this.markers.keys()); }
  }

  /** The search circle, its centre, and rings round the candidate cameras. */
  class SearchLayer {
    constructor(map) {
      this.map = map;
      this.circleGroup = L.layerGroup().addTo(map);
      this.renderer = L.canvas({ pane: "rtccHighlight", padding: 0.3 });
      this.ringGroup = L.layerGroup().addTo(map);
      this.selectedGroup = L.layerGroup().addTo(map);
      this.search = null;
      this.highlighted = [];
      this.uncertain = [];
      this.selected = null;
    }
    show(search, store, radius) {
      this.clear();
      this.request = search;
      this.search = { lat: search.lat, lon: search.lon, radius: search.radius };
      L.circle([search.lat, search.lon], { radius: search.radius, pane: "rtccSearch", color: HIGHLIGHT,
        weight: 2, dashArray: "8 6", fillColor: HIGHLIGHT, fillOpacity: 0.07, interactive: false })
        .addTo(this.circleGroup);
      L.circleMarker([search.lat, search.lon], { radius: 3, pane: "rtccSearch", color: HIGHLIGHT,
        weight: 2, fillOpacity: 1, interactive: false }).addTo(this.circleGroup);
      const uncertain = new Set(search.uncertain || []);
      for (const id of search.ids) {
        const row = store.row(id);
        if (row < 0) continue;
        const unknown = uncertain.has(id);
        L.circleMarker([store.cols.lat[row], store.cols.lon[row]], { renderer: this.renderer,
          radius: radius + 5, color: HIGHLIGHT, weight: unknown ? 2 : 3, dashArray: unknown ? "3 3" : null,
          fill: false, interactive: false }).addTo(this.ringGroup);
        (unknown ? this.uncertain : this.highlighted).push(id);
      }
    }
    clear() {
      this.circleGroup.clearLayers();
      this.ringGroup.clearLayers();
      this.request = null;
      this.search = null;
      this.highlighted = [];
      this.uncertain = [];
    }
    select(id, store, radius) {
      this.selectedGroup.clearLayers();
      this.selected = null;
      const row = id === null ? -1 : store.row(id);
      if (row < 0) return;
      this.selected = id;
      L.circleMarker([store.cols.lat[row], store.cols.lon[row]], { renderer: this.renderer,
        radius: radius + 9, color: "#FFFFFF", weight: 3, fill: false, interactive: false })
        .addTo(this.selectedGroup);
    }
    setVisible(on) {
      for (const group of [this.circleGroup, this.ringGroup]) {
        if (on) group.addTo(this.map); else group.remove();
      }
    }
  }

  /** View sectors and range circles of the cameras in view, drawn only at street zoom.
   *  Faint for every camera; strong for the search's candidates, the ones that matter now. */
  class WedgeLayer {
    constructor(map) {
      this.renderer = L.canvas({ pane: "rtccWedges", padding: 0.4 });
      this.group = L.layerGroup().addTo(map);
      this.count = 0;
      this.data = null;
    }
    show(data, emphasised) {
      this.data = data;
      this.group.clearLayers();
      const style = (code, id) => {
        const color = KIND_STYLE[code].color;
        return emphasised.has(id)
          ? { color, weight: 1.5, opacity: 0.95, fillColor: color, fillOpacity: 0.28 }
          : { color, weight: 1, opacity: 0.3, fillColor: color, fillOpacity: 0.05 };
      };
      const s = data.sectors;
      const step = 2 * s.vertices;
      for (let k = 0; k < s.ids.length; k++) {
        const ring = [];
        for (let i = k * step; i < (k + 1) * step; i += 2) ring.push([s.ring[i], s.ring[i + 1]]);
        L.polygon(ring, { renderer: this.renderer, interactive: false, ...style(s.kind[k], s.ids[k]) })
          .addTo(this.group);
      }
      const c = data.circles;
      for (let k = 0; k < c.ids.length; k++) {
        L.circle([c.lat[k], c.lon[k]], { renderer: this.renderer, radius: c.range[k], dashArray: "4 4",
          interactive: false, ...style(c.kind[k], c.ids[k]) }).addTo(this.group);
      }
      this.count = s.ids.length + c.ids.length;
    }
    restyle(emphasised) { if (this.data) this.show(this.data, emphasised); }
    clear() { this.group.clearLayers(); this.count = 0; this.data = null; }
  }

  window.RtccOverlays = { Graticule, Legend, ContextMenu, CallsLayer, SearchLayer, WedgeLayer, escapeHtml };
})();
