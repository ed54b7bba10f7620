// databoard: draws the charts, first screen first, with only the plotly.js they need.
//
// The charts on the first screen are drawn as soon as plotly.js is in; the others when
// they come near the viewport (IntersectionObserver), when the browser is idle (one at a
// time, in page order), when a control inside them gets focus, or before printing. Every
// chart shows the newest figure it has been given: a draw for an older view never lands
// over a newer one, and a chart waiting for its figure from the API is not drawn at all.
//
// plotly.js comes as ES modules built from its npm package: "core" (the trace types the
// chart kinds draw) and "geo" (maps), loaded the first time a figure needs them. A figure
// with any other trace type (a custom figure) makes the page load all of plotly.js.
"use strict";

Object.assign(databoard, {
  figures: new Map(), // chart id -> the figure it should show: the newest view's
  shown: new Map(), // chart id -> the figure drawn in it
  due: new Set(), // chart ids to keep drawn: on or near the screen, focused, or their turn
  painting: new Map(), // chart id -> promise of its last draw (one chart's draws run in order)
  engines: new Map(), // chart id -> the plotly.js that drew it
  bundles: new Map(), // bundle name -> promise of its plotly.js

  startDrawing() {
    this.watchWidth();
    for (const chart of this.state.charts) this.figures.set(chart.id, this.state.figures[chart.id]);
    this.full = this.state.charts.some((c) => this.bundlesFor(this.figures.get(c.id)) === null);
    const first = this.state.charts.filter((c) => this.onScreen(this.card(c.id)));
    if (first.some((c) => (this.bundlesFor(this.figures.get(c.id)) || []).includes("geo"))) {
      // A map on the first screen: fetch its code and shapes alongside the core.
      this.bundle("geo");
      this.preload(this.config.shapesURL);
    }
    const firstDrawn = Promise.all(first.map((c) => this.need(c.id)));
    window.addEventListener("beforeprint", () => this.needAll());
    document.addEventListener("focusin", (event) => {
      const card = event.target.closest && event.target.closest(".chart");
      if (card) this.need(card.dataset.chart);
    });
    if (!("IntersectionObserver" in window)) return this.needAll();
    const observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          if (!entry.isIntersecting) continue;
          observer.unobserve(entry.target); // due from now on, whatever the scrolling
          this.need(entry.target.dataset.chart);
        }
      },
      { rootMargin: "50% 0px" },
    );
    document.querySelectorAll(".chart").forEach((card) => observer.observe(card));
    firstDrawn.then(() => this.drawWhenIdle());
  },

  onScreen(card) {
    const box = card.getBoundingClientRect();
    return (
      box.bottom > 0 &&
      box.top < window.innerHeight &&
      box.right > 0 &&
      box.left < window.innerWidth
    );
  },

  // Draw the next chart not yet due, in page order, each in an idle moment of its own.
  drawWhenIdle() {
    const next = this.state.charts.find((c) => !this.due.has(c.id));
    if (!next) return;
    const step = () => this.need(next.id).then(() => this.drawWhenIdle());
    if (window.requestIdleCallback) window.requestIdleCallback(step, { timeout: 1000 });
    else setTimeout(step, 50);
  },

  needAll() {
    return Promise.all(this.state.charts.map((c) => this.need(c.id)));
  },

  // Keep the chart drawn from now on; resolve once it shows its newest figure.
  need(id) {
    this.due.add(id);
    return this.sync(id);
  },

  // Give the chart a figure to show (drawn now if the chart is due).
  draw(id, figure) {
    this.figures.set(id, figure);
    return this.sync(id);
  },

  sync(id) {
    const last = this.painting.get(id) || Promise.resolve();
    if (!this.due.has(id) || this.requests.has(id) || this.shown.get(id) === this.figures.get(id)) {
      return last;
    }
    const next = last.then(() => this.paint(id));
    this.painting.set(id, next);
    return next;
  },

  paint(id) {
    const figure = this.figures.get(id);
    if (this.shown.get(id) === figure) return Promise.resolve();
    const card = this.card(id);
    if (figure.error) {
      this.shown.set(id, figure);
      this.showError(card, figure.error);
      return Promise.resolve();
    }
    this.showAsOf(card, figure.data_as_of);
    return this.plotlyFor(figure)
      .then((Plotly) => {
        // A newer figure arrived, or is on its way, while plotly.js loaded: draw that one.
        if (this.figures.get(id) !== figure || this.requests.has(id)) return;
        const plot = card.querySelector(".plot");
        const before = this.engines.get(id);
        if (before && before !== Plotly) before.purge(plot);
        card.querySelector(".chart-error").hidden = true;
        plot.hidden = !card.querySelector(".table-view").hidden;
        const { data, layout } = this.fitted(figure, plot);
        return Plotly.react(plot, data, layout, this.plotConfig(this.charts.get(id))).then(() => {
          this.shown.set(id, figure);
          this.engines.set(id, Plotly);
          card.classList.remove("has-error");
          card.classList.add("is-drawn");
          card.dispatchEvent(new CustomEvent("databoard:drawn", { bubbles: true }));
        });
      })
      .catch((error) => {
        this.shown.set(id, figure);
        this.showError(card, error.message);
      });
  },

  // A figure made from newer data than the page (swapped in while it was open) says so.
  showAsOf(card, asOf) {
    const time = card.querySelector(".data-as-of");
    if (!time || !asOf || time.dateTime === asOf) return;
    time.dateTime = asOf;
    time.textContent = asOf.replace("T", " ").replace("Z", " UTC");
  },

  // -- fitting a figure to the screen -------------------------------------------------

  // A phone's width (Bootstrap's "sm" breakpoint): the figures are laid out for it.
  narrow: window.matchMedia("(max-width: 575.98px)"),

  watchWidth() {
    // Crossing the breakpoint redraws what is drawn, laid out for the new width.
    this.narrow.addEventListener("change", () => {
      for (const id of [...this.shown.keys()]) {
        if (this.shown.get(id).error) continue;
        this.shown.delete(id);
        this.sync(id);
      }
    });
  },

  // Return the figure's data and layout as drawn in plot: on a phone, facet panels in
  // one column, a map's colour bar below it; a table as wide as its text needs (its
  // card scrolls sideways). The figure itself is left as it came.
  fitted(figure, plot) {
    let data = figure.data;
    let layout = figure.layout;
    const narrow = this.narrow.matches;
    const facets = (layout.meta && layout.meta.facets) || 0;
    plot.style.height = "";
    plot.style.minWidth = "";
    if (narrow && facets > 1) layout = this.oneColumn(layout, facets, plot);
    if (narrow) layout = this.wrapTitle(layout, plot);
    if (narrow && data.some((t) => t.type === "choropleth")) {
      data = data.map((t) => (t.type === "choropleth" ? this.colourBarBelow(t) : t));
      layout = { ...layout, margin: { ...layout.margin, b: 70 } };
    }
    const table = data.find((t) => t.type === "table");
    if (table) {
      const widths = this.columnWidths(table);
      data = data.map((t) => (t === table ? { ...t, columnwidth: widths } : t));
      plot.style.minWidth = `${widths.reduce((a, b) => a + b, 0)}px`;
    }
    return { data, layout };
  },

  oneColumn(layout, count, plot) {
    const panel = 170; // px per panel
    const gapPx = 56; // between panels: the x ticks and the next panel's title
    const height = count * panel + (count - 1) * gapPx + 40 + 70;
    plot.style.height = `${height}px`;
    const gap = gapPx / (height - 110);
    const size = (1 - gap * (count - 1)) / count;
    const out = { ...layout, annotations: [...(layout.annotations || [])] };
    for (let i = 0; i < count; i++) {
      const suffix = i === 0 ? "" : String(i + 1);
      const top = 1 - i * (size + gap);
      // Every panel is now in the first column, and only the last at the bottom.
      const last = i === count - 1;
      out[`xaxis${suffix}`] = {
        ...layout[`xaxis${suffix}`],
        domain: [0, 1],
        title: last ? layout[`xaxis${count}`].title : { text: "" },
      };
      out[`yaxis${suffix}`] = {
        ...layout[`yaxis${suffix}`],
        domain: [top - size, top],
        title: layout.yaxis.title,
      };
      out.annotations[i] = { ...out.annotations[i], x: 0.5, y: top };
    }
    return out;
  },

  // A note above the chart ("GDP per capita, 2023 (updated ...)") in lines that fit.
  wrapTitle(layout, plot) {
    const title = layout.title;
    const text = title && typeof title.text === "string" ? title.text : "";
    const fits = Math.max(20, Math.floor((plot.clientWidth || 320) / 6.8));
    if (text.length <= fits || text.includes("<")) return layout;
    const lines = [""];
    for (const word of text.split(" ")) {
      const last = lines[lines.length - 1];
      if (last && (last + " " + word).length > fits) lines.push(word);
      else lines[lines.length - 1] = last ? `${last} ${word}` : word;
    }
    const top = ((layout.margin && layout.margin.t) || 10) + 16 * (lines.length - 1);
    return {
      ...layout,
      title: { ...title, text: lines.join("<br>") },
      margin: { ...layout.margin, t: top },
    };
  },

  colourBarBelow(trace) {
    const bar = trace.colorbar || {};
    return {
      ...trace,
      colorbar: {
        ...bar,
        orientation: "h",
        x: 0.5,
        xanchor: "center",
        y: -0.02,
        yanchor: "top",
        len: 0.9,
        thickness: 10,
        title: { ...(bar.title || {}), side: "top" },
      },
    };
  },

  // Pixels per column of a table: enough for its longest text, header included.
  columnWidths(table) {
    const header = (table.header && table.header.values) || [];
    const cells = (table.cells && table.cells.values) || [];
    return cells.map((column, i) => {
      const longest = Math.max(
        String(header[i] ?? "").length,
        ...column.map((value) => String(value ?? "").length),
      );
      return Math.min(320, Math.max(48, Math.round(longest * 7.4 + 18)));
    });
  },

  // -- loading plotly.js ---------------------------------------------------------------

  // The partial bundles a figure needs, core first; null when it needs all of plotly.js.
  bundlesFor(figure) {
    if (!figure || figure.error) return [];
    const { bundles } = this.config.plotly;
    const names = new Set(["core"]);
    for (const trace of figure.data || []) {
      const type = trace.type || "scatter";
      const name = Object.keys(bundles).find((n) => bundles[n].types.includes(type));
      if (!name) return null;
      names.add(name);
    }
    return [...names];
  },

  plotlyFor(figure) {
    const names = this.full ? null : this.bundlesFor(figure);
    if (names === null) {
      this.full = true; // from now on every chart is drawn with the whole of plotly.js
      return this.bundle("full");
    }
    return Promise.all(names.map((name) => this.bundle(name))).then(([core]) => core);
  },

  bundle(name) {
    if (!this.bundles.has(name)) {
      const { plotly } = this.config;
      const loading =
        name === "full"
          ? this.script(plotly.full)
          : import(plotly.bundles[name].url).then((m) => m.default);
      this.bundles.set(name, loading);
    }
    return this.bundles.get(name);
  },

  script(url) {
    return new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = url;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => reject(new Error(`${url} could not be loaded`));
      document.head.appendChild(script);
    });
  },

  preload(url) {
    const link = document.createElement("link");
    link.rel = "preload";
    link.as = "fetch";
    link.crossOrigin = "anonymous";
    link.href = url;
    document.head.appendChild(link);
  },
});
