/* Cameras on the map: packed columns in typed arrays, drawn onto canvas tiles, found by pixel. */
(function () {
  "use strict";

  const DELETED = 255;
  const FLAG_NOT_LIVE = 1;
  // Columns the store keeps per row (Python sends positions as float32 offsets from an origin).
  const COLUMNS = [["kind", Uint8Array], ["lat", Float64Array], ["lon", Float64Array], ["flags", Uint8Array]];
  // Layer of each kind code, in the order Python's map_payload.CAMERA_LAYERS numbers them.
  const KIND_LAYERS = ["city_poles", "business", "residential", "edge"];
  // Okabe–Ito colours (distinct for colour-blind eyes) and a distinct shape per layer.
  const KIND_STYLE = [
    { color: "#56B4E9", shape: "circle", label: "City pole cameras" },
    { color: "#E69F00", shape: "square", label: "Registered business" },
    { color: "#2DB38A", shape: "triangle", label: "Registered residential" },
    { color: "#CC79A7", shape: "diamond", label: "Edge devices" },
  ];
  // Most numerous first, so the rarer city and edge cameras stay on top.
  const DRAW_ORDER = [2, 1, 3, 0];

  function idsOf(payload) {
    if (!payload.resolvedIds) payload.resolvedIds = payload.ids || (payload.count ? payload.idText.split("\n") : []);
    return payload.resolvedIds;
  }

  function unpack(base64, Type) {
    const text = atob(base64);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return new Type(bytes.buffer);
  }

  // Leaflet's spherical Mercator in world units 0..1 (multiply by 256 * 2^zoom for pixels).
  const MAX_LAT = 85.0511287798;
  function mercX(lon) { return (lon + 180) / 360; }
  function mercY(lat) {
    const s = Math.sin(Math.max(-MAX_LAT, Math.min(MAX_LAT, lat)) * Math.PI / 180);
    return 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
  }

  /** Every camera as columns; rows [0, sortedCount) run west to east for range lookups. */
  class CameraStore {
    constructor() { this.clear(); }

    clear() {
      this.size = 0;
      this.ids = [];
      this.index = new Map();  // id -> row; rebuilt lazily after a bulk load
      this.indexed = true;
      this.live = 0;
      this.cols = {};
      for (const [name, Type] of COLUMNS) this.cols[name] = new Type(0);
      this.mx = new Float64Array(0);
      this.my = new Float64Array(0);
      this.sortedCount = 0;
      this.deleted = 0;
      this.perKind = [0, 0, 0, 0];
    }

    load(payload) {
      this.clear();
      this.indexed = false;  // a first paint need not wait for 100k map entries
      this._append(payload);
      let ordered = true;
      for (let i = 1; i < this.size && ordered; i++) ordered = this.mx[i - 1] <= this.mx[i];
      if (ordered) this.sortedCount = this.size; else this.compact();
    }

    put(payload) {
      for (const id of idsOf(payload)) this._delete(id);
      this._append(payload);
      // a long unsorted tail or many holes slow every lookup: rebuild now and then
      if (this.size - this.sortedCount > 4096 || this.deleted > this.size / 4) this.compact();
    }

    remove(ids) {
      let removed = 0;
      for (const id of ids) removed += this._delete(id) ? 1 : 0;
      if (this.deleted > this.size / 4) this.compact();
      return removed;
    }

    get count() { return this.live; }

    get rowOf() {
      if (!this.indexed) {
        const index = new Map(), kind = this.cols.kind;
        for (let i = 0; i < this.size; i++) if (kind[i] !== DELETED) index.set(this.ids[i], i);
        this.index = index;
        this.indexed = true;
      }
      return this.index;
    }

    counts() {
      const out = {};
      KIND_LAYERS.forEach((layer, code) => { out[layer] = this.perKind[code]; });
      return out;
    }

    row(id) { return this.rowOf.has(id) ? this.rowOf.get(id) : -1; }

    /** Call fn(row) for each live camera whose world position lies in the box. */
    forEachIn(x0, x1, y0, y1, fn) {
      const mx = this.mx, my = this.my, kind = this.cols.kind;
      let lo = 0, hi = this.sortedCount;
      while (lo < hi) { const mid = (lo + hi) >> 1; if (mx[mid] < x0) lo = mid + 1; else hi = mid; }
      for (let i = lo; i < this.sortedCount && mx[i] <= x1; i++) {
        if (my[i] >= y0 && my[i] <= y1 && kind[i] !== DELETED) fn(i);
      }
      for (let i = this.sortedCount; i < this.size; i++) {
        if (mx[i] >= x0 && mx[i] <= x1 && my[i] >= y0 && my[i] <= y1 && kind[i] !== DELETED) fn(i);
      }
    }

    bounds() {
      let s = 90, w = 180, n = -90, e = -180;
      const lat = this.cols.lat, lon = this.cols.lon, kind = this.cols.kind;
      for (let i = 0; i < this.size; i++) {
        if (kind[i] === DELETED) continue;
        if (lat[i] < s) s = lat[i]; if (lat[i] > n) n = lat[i];
        if (lon[i] < w) w = lon[i]; if (lon[i] > e) e = lon[i];
      }
      return n >= s ? [[s, w], [n, e]] : null;
    }

    /** Drop deleted rows and put every row back in west-to-east order. */
    compact() {
      const live = [];
      for (let i = 0; i < this.size; i++) if (this.cols.kind[i] !== DELETED) live.push(i);
      const mx = this.mx;
      live.sort((a, b) => mx[a] - mx[b]);
      const n = live.length;
      const take = (src, Type) => { const out = new Type(Math.max(n, 16)); for (let i = 0; i < n; i++) out[i] = src[live[i]]; return out; };
      for (const [name, Type] of COLUMNS) this.cols[name] = take(this.cols[name], Type);
      this.mx = take(this.mx, Float64Array);
      this.my = take(this.my, Float64Array);
      this.ids = live.map((i) => this.ids[i]);
      this.index = new Map();
      this.ids.forEach((id, i) => this.index.set(id, i));
      this.indexed = true;
      this.size = this.sortedCount = n;
      this.deleted = 0;
    }

    _delete(id) {
      const row = this.rowOf.get(id);
      if (row === undefined) return false;
      this.perKind[this.cols.kind[row]] -= 1;
      this.cols.kind[row] = DELETED;
      this.index.delete(id);
      this.deleted += 1;
      this.live -= 1;
      return true;
    }

    _append(payload) {
      const ids = idsOf(payload);
      const n = ids.length;
      if (!n) return;
      const start = this.size, needed = start + n;
      if (needed > this.cols.kind.length) this._grow(Math.max(needed, this.cols.kind.length * 2, 64));
      this.cols.kind.set(unpack(payload.kind, Uint8Array), start);
      this.cols.flags.set(unpack(payload.flags, Uint8Array), start);
      const dlat = unpack(payload.dlat, Float32Array), dlon = unpack(payload.dlon, Float32Array);
      const [lat0, lon0] = payload.origin;
      const lat = this.cols.lat, lon = this.cols.lon, kind = this.cols.kind;
      for (let i = start; i < needed; i++) {
        lat[i] = lat0 + dlat[i - start];
        lon[i] = lon0 + dlon[i - start];
        this.mx[i] = mercX(lon[i]);
        this.my[i] = mercY(lat[i]);
        this.perKind[kind[i]] += 1;
      }
      for (let k = 0; k < n; k++) this.ids.push(ids[k]);
      if (this.indexed) for (let k = 0; k < n; k++) this.index.set(ids[k], start + k);
      this.size = needed;
      this.live += n;
    }

    _grow(capacity) {
      const grow = (src, Type) => { const out = new Type(capacity); out.set(src.subarray(0, this.size)); return out; };
      for (const [name, Type] of COLUMNS) this.cols[name] = grow(this.cols[name], Type);
      this.mx = grow(this.mx, Float64Array);
      this.my = grow(this.my, Float64Array);
    }
  }

  function symbolRadius(zoom) {
    if (zoom <= 11) return 1.6;
    if (zoom <= 13) return 2.4;
    if (zoom <= 15) return 3.6;
    return 5.5;
  }

  function tracePath(ctx, shape, x, y, r) {
    switch (shape) {
      case "circle":
        ctx.moveTo(x + r, y); ctx.arc(x, y, r, 0, 2 * Math.PI); break;
      case "square":
        ctx.rect(x - 0.85 * r, y - 0.85 * r, 1.7 * r, 1.7 * r); break;
      case "triangle":
        ctx.moveTo(x, y - 1.2 * r); ctx.lineTo(x + 1.05 * r, y + 0.75 * r);
        ctx.lineTo(x - 1.05 * r, y + 0.75 * r); ctx.closePath(); break;
      default: // diamond
        ctx.moveTo(x, y - 1.3 * r); ctx.lineTo(x + 1.3 * r, y);
        ctx.lineTo(x, y + 1.3 * r); ctx.lineTo(x - 1.3 * r, y); ctx.closePath();
    }
  }

  /** Draw one symbol (legend swatches use the same code as the map). */
  function drawSymbol(ctx, code, x, y, r, hollow) {
    const style = KIND_STYLE[code];
    ctx.beginPath();
    tracePath(ctx, style.shape, x, y, r);
    if (hollow) { ctx.strokeStyle = style.color; ctx.lineWidth = 1.5; ctx.stroke(); return; }
    ctx.fillStyle = style.color; ctx.fill();
    if (r >= 3) { ctx.strokeStyle = "rgba(10,14,20,0.85)"; ctx.lineWidth = 1; ctx.stroke(); }
  }

  const sprites = new Map();

  /** A symbol drawn once on a small canvas, kept as its visible pixels (premultiplied RGBA)
   *  with their offsets, so a stamp touches only the pixels the symbol covers. */
  function sprite(code, r, hollow, ratio, alpha) {
    const key = `${code}|${r}|${hollow}|${ratio}|${alpha}`;
    let s = sprites.get(key);
    if (s) return s;
    const half = Math.ceil((1.4 * r + 1.5) * ratio);
    const side = 2 * half + 1;
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = side;
    const ctx = canvas.getContext("2d");
    ctx.scale(ratio, ratio);
    ctx.globalAlpha = alpha;
    drawSymbol(ctx, code, (half + 0.5) / ratio, (half + 0.5) / ratio, r, hollow);
    const data = ctx.getImageData(0, 0, side, side).data;
    const dx = [], dy = [], rgba = [];
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const i = (y * side + x) * 4, a = data[i + 3];
        if (!a) continue;
        dx.push(x - half); dy.push(y - half);
        rgba.push(data[i] * a / 255, data[i + 1] * a / 255, data[i + 2] * a / 255, a);
      }
    }
    s = { half, dx: Int16Array.from(dx), dy: Int16Array.from(dy), rgba: Uint8ClampedArray.from(rgba),
      offsets: null, width: 0 };
    sprites.set(key, s);
    return s;
  }

  /** Source-over blend of a sprite centred at pixel (x, y) into premultiplied pixels. */
  function stamp(pixels, w, h, s, x, y) {
    const src = s.rgba, n = s.dx.length;
    if (x - s.half >= 0 && y - s.half >= 0 && x + s.half < w && y + s.half < h) {
      if (s.width !== w) {  // pixel offsets for this tile width, computed once
        s.offsets = new Int32Array(n);
        for (let k = 0; k < n; k++) s.offsets[k] = (s.dy[k] * w + s.dx[k]) * 4;
        s.width = w;
      }
      const base = (y * w + x) * 4, offsets = s.offsets;
      for (let k = 0, si = 0; k < n; k++, si += 4) blend(pixels, base + offsets[k], src, si);
      return;
    }
    for (let k = 0, si = 0; k < n; k++, si += 4) {  // at a tile's edge: clip each pixel
      const px = x + s.dx[k], py = y + s.dy[k];
      if (px >= 0 && py >= 0 && px < w && py < h) blend(pixels, (py * w + px) * 4, src, si);
    }
  }

  function blend(pixels, di, src, si) {
    const a = src[si + 3];
    if (a === 255) {
      pixels[di] = src[si]; pixels[di + 1] = src[si + 1]; pixels[di + 2] = src[si + 2]; pixels[di + 3] = 255;
      return;
    }
    const keep = (255 - a) / 255;
    pixels[di] = src[si] + pixels[di] * keep;
    pixels[di + 1] = src[si + 1] + pixels[di + 1] * keep;
    pixels[di + 2] = src[si + 2] + pixels[di + 2] * keep;
    pixels[di + 3] = a + pixels[di + 3] * keep;
  }

  function unpremultiply(pixels) {
    for (let i = 0; i < pixels.length; i += 4) {
      const a = pixels[i + 3];
      if (a === 0 || a === 255) continue;
      const k = 255 / a;
      pixels[i] *= k; pixels[i + 1] *= k; pixels[i + 2] *= k;
    }
  }

  /** A grid layer whose canvas tiles hold the camera symbols; redrawn in place on change. */
  const CameraLayer = L.GridLayer.extend({
    options: { pane: "rtccCameras", updateWhenZooming: false, keepBuffer: 1 },

    initialize(store, options) {
      L.setOptions(this, options);
      this.store = store;
      this.kindVisible = [true, true, true, true];
      this.lastDrawn = 0;
    },

    createTile(coords) {
      const tile = L.DomUtil.create("canvas", "rtcc-camera-tile");
      const size = this.getTileSize();
      const ratio = window.devicePixelRatio || 1;
      tile.width = size.x * ratio;
      tile.height = size.y * ratio;
      tile.style.width = size.x + "px";
      tile.style.height = size.y + "px";
      this._draw(tile, coords);
      return tile;
    },

    /** Redraw every tile in place (no DOM churn, so no flicker). */
    refresh() {
      this.lastDrawn = 0;
      for (const key in this._tiles) this._draw(this._tiles[key].el, this._tiles[key].coords);
    },

    // Symbols are stamped into the tile's pixels from pre-drawn sprites: with no GPU, Chromium's
    // canvas takes ~13 µs per path symbol, a stamp well under one.
    _draw(canvas, coords) {
      const ctx = canvas.getContext("2d");
      const size = this.getTileSize();
      const ratio = canvas.width / size.x;
      const store = this.store;
      if (!store.count) { ctx.clearRect(0, 0, canvas.width, canvas.height); return; }
      const scale = size.x * Math.pow(2, coords.z);
      const ox = coords.x * size.x, oy = coords.y * size.y;
      const r = symbolRadius(coords.z);
      const pad = 2 * r + 2;
      const buckets = [[], [], [], []];
      const kind = store.cols.kind, visible = this.kindVisible;
      store.forEachIn((ox - pad) / scale, (ox + size.x + pad) / scale,
        (oy - pad) / scale, (oy + size.y + pad) / scale,
        (row) => { if (visible[kind[row]]) buckets[kind[row]].push(row); });
      const w = canvas.width, h = canvas.height;
      if (!buckets.some((rows) => rows.length)) { ctx.clearRect(0, 0, w, h); return; }
      const pixels = new Uint8ClampedArray(w * h * 4);  // premultiplied while stamping
      const flags = store.cols.flags, mx = store.mx, my = store.my;
      const alpha = coords.z <= 12 ? 0.8 : 1;
      let drawn = 0;
      for (const code of DRAW_ORDER) {
        const rows = buckets[code];
        if (!rows.length) continue;
        drawn += rows.length;
        const size = code === 0 ? r * 1.3 : r;  // city poles stand out among the many registered
        const solid = sprite(code, size, false, ratio, alpha), hollow = sprite(code, size, true, ratio, alpha);
        for (const row of rows) {
          const s = flags[row] & FLAG_NOT_LIVE ? hollow : solid;
          stamp(pixels, w, h, s, Math.round((mx[row] * scale - ox) * ratio),
            Math.round((my[row] * scale - oy) * ratio));
        }
      }
      this.lastDrawn += drawn;
      unpremultiply(pixels);
      ctx.putImageData(new ImageData(pixels, w, h), 0, 0);
    },

    /** Rows of visible cameras within tolerance pixels of a point, nearest first. */
    hitsAt(latlng, tolerance) {
      const map = this._map;
      const zoom = map.getZoom();
      const scale = this.getTileSize().x * Math.pow(2, zoom);
      const px = mercX(latlng.lng) * scale, py = mercY(latlng.lat) * scale;
      const reach = tolerance + symbolRadius(Math.round(zoom)) * 1.3;
      const found = [];
      const store = this.store, kind = store.cols.kind;
      store.forEachIn((px - reach) / scale, (px + reach) / scale, (py - reach) / scale, (py + reach) / scale,
        (row) => {
          if (!this.kindVisible[kind[row]]) return;
          const d = Math.hypot(store.mx[row] * scale - px, store.my[row] * scale - py);
          if (d <= reach) found.push([d, row]);
        });
      found.sort((a, b) => a[0] - b[0] || kind[b[1]] - kind[a[1]]);
      return found;
    },

    /** Visible cameras per layer inside the map's current view. */
    countInView() {
      const map = this._map, b = map.getBounds(), store = this.store;
      const out = {};
      KIND_LAYERS.forEach((layer) => { out[layer] = 0; });
      const kind = store.cols.kind;
      store.forEachIn(mercX(b.getWest()), mercX(b.getEast()), mercY(b.getNorth()), mercY(b.getSouth()),
        (row) => { if (this.kindVisible[kind[row]]) out[KIND_LAYERS[kind[row]]] += 1; });
      return out;
    },
  });

  window.RtccCameras = { CameraStore, CameraLayer, KIND_LAYERS, KIND_STYLE, drawSymbol, symbolRadius };
})();
