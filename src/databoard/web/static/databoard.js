// databoard: keeps the URL in step with the filters and redraws only the charts a filter
// change affects, through the JSON API. Drawing itself is in databoard-drawing.js.
"use strict";

const databoard = {
  state: null,
  config: null,
  query: null, // URLSearchParams of the view on screen
  requests: new Map(), // chart id -> what releases its pending redraw's request
  multiselects: new Map(), // filter name -> chip widget
  prefetched: new Map(), // figure URL -> its parsed answer, asked for ahead (a slider, a hover)
  pendingURL: null, // adds the view on screen to the history, once it is drawn (see pushURL)
  historyWait: 100, // ms a new view waits at most for its history entry (see pushURL)

  init() {
    const node = document.getElementById("databoard-state");
    if (!node) return;
    this.state = JSON.parse(node.textContent);
    this.config = JSON.parse(document.getElementById("databoard-config").textContent);
    this.form = document.getElementById("filters");
    this.filters = new Map(this.state.filters.map((f) => [f.name, f]));
    this.charts = new Map(this.state.charts.map((c) => [c.id, c]));
    this.query = new URLSearchParams(this.state.query);
    document.querySelectorAll(".multiselect").forEach((el) => this.multiselect(el));
    this.startDrawing();
    // Controls outside the form element join it with form="filters"; catch them all.
    document.addEventListener("change", (event) => {
      if (event.target.form === this.form) this.update(true);
    });
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.update(true);
    });
    document.querySelectorAll("[data-action=table]").forEach((button) =>
      button.addEventListener("click", () => this.toggleTable(button)),
    );
    window.addEventListener("popstate", () => this.restore());
    history.replaceState({ query: this.query.toString() }, "", this.url(this.query));
    document.body.classList.add("databoard-ready");
  },

  plotConfig(chart) {
    return {
      responsive: true,
      displaylogo: false,
      topojsonURL: this.config.topojsonURL,
      modeBarButtonsToRemove: ["lasso2d", "select2d"],
      staticPlot: chart.kind === "kpi",
      toImageButtonOptions: { filename: `${this.state.slug}-${chart.id}` },
    };
  },

  card(id) {
    return document.getElementById(`chart-${id}`);
  },

  // -- filters <-> query string ------------------------------------------------------

  // The view the controls show; *override* (filter name -> values) stands in for some of
  // them, to ask what a click would show before it happens.
  currentQuery(override = new Map()) {
    const query = new URLSearchParams();
    for (const filter of this.state.filters) {
      if (override.has(filter.name)) {
        for (const value of override.get(filter.name)) query.append(filter.name, value);
        continue;
      }
      if (filter.kind === "multiselect") {
        for (const value of this.selection(filter.name)) query.append(filter.name, value);
        continue;
      }
      for (const param of filter.params) {
        const input = this.form.elements.namedItem(param);
        if (input && input.value !== "") query.append(param, input.value);
      }
    }
    return query;
  },

  setControls(query) {
    for (const filter of this.state.filters) {
      if (filter.kind === "multiselect") {
        const values = query.getAll(filter.name);
        this.select(filter.name, values.length ? values : filter.default);
        continue;
      }
      filter.params.forEach((param, i) => {
        const input = this.form.elements.namedItem(param);
        if (!input) return;
        const fallback = Array.isArray(filter.default) ? filter.default[i] : filter.default;
        input.value = query.get(param) ?? (fallback ?? "");
      });
    }
  },

  url(query) {
    const text = query.toString();
    return location.pathname + (text ? `?${text}` : "");
  },

  paramsOf(filterNames) {
    const params = new Set();
    for (const name of filterNames) this.filters.get(name).params.forEach((p) => params.add(p));
    return params;
  },

  chartQuery(chart, query) {
    const params = this.paramsOf(chart.filters);
    const out = new URLSearchParams();
    for (const [key, value] of query) if (params.has(key)) out.append(key, value);
    return out;
  },

  // Redraw for the controls' values; resolve once the changed charts are drawn.
  update(push) {
    const query = this.currentQuery();
    if (query.toString() === this.query.toString()) return Promise.resolve();
    const drawn = this.redraw(query);
    if (push) this.pushURL(query, drawn);
    return drawn;
  },

  // Give the view its own history entry once its charts are drawn and painted (the frame
  // after *drawn*), or after historyWait ms if that takes longer (or the tab is hidden):
  // pushState takes milliseconds, and the browser's work for the same-document navigation
  // (the favicon asked for again) competes with the answer on its way; done earlier it
  // keeps the page from that answer when it comes. An entry still due is added before the
  // next one, and dropped if the history moves first.
  pushURL(query, drawn) {
    this.flushURL();
    const entry = () => {
      if (this.pendingURL !== entry) return;
      this.pendingURL = null;
      history.pushState({ query: query.toString() }, "", this.url(query));
    };
    this.pendingURL = entry;
    drawn.then(() => requestAnimationFrame(() => setTimeout(entry, 0)));
    setTimeout(entry, this.historyWait);
  },

  flushURL() {
    if (this.pendingURL) this.pendingURL();
  },

  restore() {
    this.pendingURL = null;
    const query = new URLSearchParams(location.search);
    this.setControls(query);
    this.redraw(this.currentQuery());
  },

  redraw(query) {
    const before = this.query;
    this.query = query;
    const changed = this.state.charts.filter(
      (chart) =>
        this.chartQuery(chart, before).toString() !== this.chartQuery(chart, query).toString(),
    );
    // Ask for every changed figure before any other work, and draw each as soon as it is
    // in: the requests are on their way while the page updates itself, and a chart whose
    // answer came first is drawn while the others are still on the wire. Figures fetched
    // ahead and already parsed are drawn in this same task, before the browser paints.
    const answers = this.answers(changed, query);
    const drawn = Promise.all(changed.map((chart, i) => this.redrawChart(chart, answers[i])));
    document.dispatchEvent(new CustomEvent("databoard:view", { detail: query }));
    this.announce(`Updating ${changed.length} chart${changed.length === 1 ? "" : "s"}…`);
    document.querySelectorAll("[data-action=csv]").forEach((link) => {
      const id = link.closest(".chart").dataset.chart;
      link.search = this.chartQuery(this.charts.get(id), query).toString();
    });
    return drawn.then(() => {
      this.announce("Charts updated.");
      // What may wait until the charts are drawn waits for this (the linked options):
      // its requests and work would otherwise compete with the charts'.
      document.dispatchEvent(new CustomEvent("databoard:redrawn", { detail: this.query }));
    });
  },

  // Start fetching a figure ahead (a slider's next steps, a hovered point's click) and
  // parse it as soon as it is in, so that drawing it later waits for nothing.
  prefetch(url) {
    if (!this.prefetched.has(url)) this.prefetched.set(url, this.ask(url));
  },

  // Fetch a figure and parse it: a promise of {ok, status, body}.
  ask(url, signal) {
    const answer = fetch(url, { signal }).then((response) =>
      response.json().then((body) => ({ ok: response.ok, status: response.statusText, body })),
    );
    answer.catch(() => {}); // a figure fetched ahead and never used may fail unheard
    return answer;
  },

  figureURL(chart, query) {
    return `${chart.url}?${this.chartQuery(chart, query)}`;
  },

  // What each of *charts* draws in the view *query*: {answer, release}, where *answer*
  // is the figure fetched ahead, or else asked for with the others' in one request
  // (see askAll), and *release* says the chart no longer needs that request.
  answers(charts, query) {
    const out = [];
    const missing = [];
    charts.forEach((chart, i) => {
      const url = this.figureURL(chart, query);
      const ahead = this.prefetched.get(url);
      this.prefetched.delete(url);
      if (ahead) out[i] = { answer: ahead, release: () => {} };
      else missing.push(i);
    });
    if (!missing.length) return out;
    const controller = new AbortController();
    let waiting = missing.length; // the request is aborted once no chart waits for it
    const release = () => {
      if (--waiting === 0) controller.abort();
    };
    const asked = missing.map((i) => charts[i]);
    const found =
      asked.length === 1
        ? [this.ask(this.figureURL(asked[0], query), controller.signal)]
        : this.askAll(asked, query, controller.signal);
    missing.forEach((i, j) => (out[i] = { answer: found[j], release: () => release() }));
    return out;
  },

  // Ask for the figures of several charts in one request, whose lines come as the server
  // makes them: one promise of {ok, status, body} per chart, each settled by its line.
  askAll(charts, query, signal) {
    const params = this.paramsOf(new Set(charts.flatMap((chart) => chart.filters)));
    const asked = new URLSearchParams();
    for (const [key, value] of query) if (params.has(key)) asked.append(key, value);
    const ids = charts.map((chart) => encodeURIComponent(chart.id)).join("/");
    const settle = new Map();
    const found = charts.map((chart) => new Promise((resolve) => settle.set(chart.id, resolve)));
    const give = (id, answer) => {
      settle.get(id)?.(answer);
      settle.delete(id);
    };
    fetch(`${this.state.figures_url}${ids}?${asked}`, { signal })
      .then(async (response) => {
        if (!response.ok) {
          const body = await response.json().catch(() => ({}));
          const failed = { ok: false, status: response.statusText, body };
          for (const id of [...settle.keys()]) give(id, failed);
          return;
        }
        for await (const line of this.lines(response.body)) {
          const item = JSON.parse(line);
          give(item.id, { ok: !item.error, status: "", body: item.error ? item : item.figure });
        }
      })
      .catch(() => {})
      .finally(() => {
        const cut = { ok: false, status: "the answer was cut short", body: {} };
        for (const id of [...settle.keys()]) give(id, cut);
      });
    return found;
  },

  // The lines of a streamed body, each as soon as it is whole.
  async *lines(body) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      let from = buffer.length;
      buffer += value;
      let end;
      while ((end = buffer.indexOf("\n", from)) >= 0) {
        yield buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        from = 0;
      }
    }
    if (buffer.trim()) yield buffer;
  },

  // Give a chart the figure of its *answer* (see answers), or its error, drawn at once if
  // the chart is drawn or due (see databoard-drawing.js); resolve once that is done. An
  // answer a newer change of the chart supersedes is not drawn.
  redrawChart(chart, { answer, release }) {
    this.requests.get(chart.id)?.(); // the chart's previous request: no longer its own
    this.requests.set(chart.id, release);
    const card = this.card(chart.id);
    card.classList.add("is-loading");
    card.setAttribute("aria-busy", "true");
    const show = (figure) => {
      if (this.requests.get(chart.id) !== release) return Promise.resolve();
      this.requests.delete(chart.id);
      release();
      card.classList.remove("is-loading");
      card.removeAttribute("aria-busy");
      this.figures.set(chart.id, figure);
      const drawn = this.sync(chart.id);
      return figure.error ? drawn : drawn.then(() => this.refreshTable(card));
    };
    return answer
      .then(({ ok, status, body }) => {
        if (!ok) throw new Error(body.error ? body.error.message : status);
        return body;
      })
      .catch((error) => ({ error: error.message }))
      .then(show);
  },

  showError(card, message) {
    const box = card.querySelector(".chart-error");
    box.textContent = `This chart could not be drawn: ${message}`;
    box.hidden = false;
    card.querySelector(".plot").hidden = true;
    card.classList.add("is-drawn", "has-error");
  },

  announce(text) {
    document.getElementById("status").textContent = text;
  },

  // -- data table view ---------------------------------------------------------------

  toggleTable(button) {
    const card = button.closest(".chart");
    const showing = button.getAttribute("aria-pressed") === "true";
    button.setAttribute("aria-pressed", String(!showing));
    button.classList.toggle("active", !showing);
    card.querySelector(".table-view").hidden = showing;
    card.querySelector(".plot").hidden = !showing;
    if (!showing) this.refreshTable(card);
    else this.need(card.dataset.chart).then(() => window.dispatchEvent(new Event("resize")));
  },

  refreshTable(card) {
    const view = card.querySelector(".table-view");
    if (view.hidden) return Promise.resolve();
    const chart = this.charts.get(card.dataset.chart);
    const url = `${chart.url}/data.json?${this.chartQuery(chart, this.query)}`;
    view.textContent = "Loading…";
    return fetch(url)
      .then((response) => response.json())
      .then((body) => {
        view.replaceChildren(this.table(body));
        card.dispatchEvent(new CustomEvent("databoard:table", { bubbles: true, detail: body }));
      })
      .catch((error) => (view.textContent = `The data could not be loaded: ${error.message}`));
  },

  table(body) {
    const limit = 500;
    const wrap = document.createElement("div");
    wrap.className = "table-responsive";
    const table = document.createElement("table");
    table.className = "table table-sm table-striped mb-0";
    const caption = table.createCaption();
    caption.textContent =
      `${body.rows.length} rows` +
      (body.rows.length > limit ? `, first ${limit} shown; download the CSV for all` : "");
    const head = table.createTHead().insertRow();
    for (const column of body.columns) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = column;
      head.appendChild(th);
    }
    const tbody = table.createTBody();
    // Each number column has one d3-format specifier from the server (databoard-numbers.js).
    const specs = body.columns.map((column) => (body.formats || {})[column]);
    for (const row of body.rows.slice(0, limit)) {
      const tr = tbody.insertRow();
      row.forEach((value, i) => {
        const td = tr.insertCell();
        const number = typeof value === "number";
        td.textContent = number ? this.formatNumber(specs[i] || "", value) : (value ?? "");
        if (number) td.className = "text-end";
      });
    }
    wrap.appendChild(table);
    return wrap;
  },

  // -- multi-select with type-to-search -------------------------------------------

  multiselect(root) {
    const name = root.dataset.filter;
    const filter = this.filters.get(name);
    const input = root.querySelector(".chip-input");
    const labels = new Map(filter.options.map((o) => [String(o.value), o.label]));
    const byLabel = new Map(filter.options.map((o) => [o.label.toLowerCase(), String(o.value)]));
    root.classList.add("enhanced");
    const widget = { root, input, labels, list: root.querySelector(".chip-list"), order: [] };
    this.multiselects.set(name, widget);
    const chosen = this.query.getAll(name);
    this.select(name, chosen.length ? chosen : (filter.default ?? [...labels.keys()]));

    const add = () => {
      const value = byLabel.get(input.value.trim().toLowerCase());
      if (value === undefined) return false;
      input.value = "";
      if (!widget.order.includes(value)) {
        this.select(name, [...widget.order, value]);
        this.update(true);
      }
      return true;
    };
    input.addEventListener("input", (event) => {
      // A pick from the datalist arrives as one input event with the whole label.
      if (event.inputType === undefined || event.inputType === "insertReplacementText") add();
    });
    input.addEventListener("change", (event) => event.stopPropagation());
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        if (!add()) {
          const text = input.value.trim().toLowerCase();
          const match = filter.options.find((o) => o.label.toLowerCase().startsWith(text));
          if (text && match) {
            input.value = match.label;
            add();
          }
        }
      } else if (event.key === "Backspace" && input.value === "" && widget.order.length > 1) {
        this.remove(name, widget.order[widget.order.length - 1]);
      }
    });
  },

  selection(name) {
    const widget = this.multiselects.get(name);
    if (widget) return widget.order;
    const native = this.form.elements.namedItem(name);
    return native ? [...native.selectedOptions].map((o) => o.value) : [];
  },

  select(name, values) {
    const widget = this.multiselects.get(name);
    widget.order = values.map(String).filter((v) => widget.labels.has(v));
    widget.list.replaceChildren(
      ...widget.order.map((value) => {
        const item = document.createElement("li");
        item.className = "chip badge rounded-pill text-bg-light border";
        item.textContent = widget.labels.get(value);
        const button = document.createElement("button");
        button.type = "button";
        button.className = "btn-close ms-1";
        button.setAttribute("aria-label", `Remove ${widget.labels.get(value)}`);
        button.disabled = widget.order.length === 1;
        button.addEventListener("click", () => {
          this.remove(name, value);
          widget.input.focus();
        });
        item.appendChild(button);
        return item;
      }),
    );
  },

  remove(name, value) {
    const widget = this.multiselects.get(name);
    if (widget.order.length <= 1) return;
    this.select(
      name,
      widget.order.filter((v) => v !== value),
    );
    this.update(true);
  },
};

document.addEventListener("DOMContentLoaded", () => databoard.init());
