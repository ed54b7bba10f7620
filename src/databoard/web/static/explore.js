// databoard explore: a click on a chart sets the filter on its column (shift-click adds
// or removes one value), a chip says what is selected, and the Table view offers the
// same by keyboard. The value goes through the filter's own control, so the URL holds it
// and the back button undoes it like any filter change; a chart with a link opens another
// dashboard filtered to the clicked value instead. The choice filters also offer
// only what the other filters leave (asked of the server), and a chosen value left
// without rows is marked, never dropped.
"use strict";

databoard.explore = {
  targets: new Map(), // chart id -> {filter, column, point, by}
  links: new Map(), // chart id -> {url, filter, column, point, by, values}

  init() {
    const board = databoard;
    if (!board.state) return;
    this.linkOptions();
    document.querySelectorAll(".slider[data-filter]").forEach((el) => this.slider(el));
    for (const chart of board.state.charts) {
      if (chart.click) this.targets.set(chart.id, chart.click);
      if (chart.link) this.links.set(chart.id, chart.link);
    }
    if (this.links.size) this.drillDown();
    if (this.targets.size) this.crossfilter();
  },

  // -- drill-down: a click opens another dashboard filtered to the clicked value -------

  drillDown() {
    const board = databoard;
    const attach = (card) => {
      const link = card && this.links.get(card.dataset.chart);
      const plot = card && card.querySelector(".plot");
      if (!link || !plot || !plot.on || plot.dataset.explore) return;
      plot.dataset.explore = "link";
      card.classList.add("is-clickable");
      plot.on("plotly_click", (event) => {
        const point = this.pointed(plot, event);
        if (!point) return;
        const raw = link.point === "name" ? point.data.name : point[link.point];
        const href = this.linkTo(link, raw);
        if (href) location.assign(href);
        else board.announce(`${raw} has no dashboard of its own.`);
      });
    };
    for (const id of this.links.keys()) attach(board.card(id));
    document.addEventListener("databoard:drawn", (event) => attach(event.target));
    document.addEventListener("databoard:table", (event) => {
      const link = this.links.get(event.target.dataset.chart);
      const index = link ? event.detail.columns.indexOf(link.column) : -1;
      if (index < 0) return;
      event.target.querySelectorAll(".table-view tbody tr").forEach((tr, i) => {
        const href = this.linkTo(link, event.detail.rows[i][index]);
        if (!href) return;
        const anchor = document.createElement("a");
        anchor.href = href;
        anchor.textContent = tr.cells[index].textContent;
        tr.cells[index].replaceChildren(anchor);
      });
    });
  },

  // The URL of the linked dashboard for a clicked value, or undefined ("Other"...).
  linkTo(link, raw) {
    const value = raw === null || raw === undefined ? undefined : link.values[String(raw)];
    if (value === undefined) return undefined;
    return `${link.url}?${new URLSearchParams([[link.filter, value]])}`;
  },

  crossfilter() {
    const board = databoard;
    this.chips = document.createElement("div");
    this.chips.className = "crossfilter mb-3";
    this.chips.setAttribute("aria-label", "Selected by clicking a chart");
    this.chips.setAttribute("role", "group");
    board.form.after(this.chips);
    for (const id of this.targets.keys()) this.listen(board.card(id));
    document.addEventListener("databoard:drawn", (event) => this.listen(event.target));
    document.addEventListener("databoard:table", (event) =>
      this.tableButtons(event.target, event.detail),
    );
    document.addEventListener("databoard:view", (event) => this.showChips(event.detail));
    this.showChips(board.query);
  },

  // Attach a click listener to a chart's plot once it has been drawn (and only once).
  listen(card) {
    const target = card && this.targets.get(card.dataset.chart);
    const plot = card && card.querySelector(".plot");
    if (!target || !plot || !plot.on || plot.dataset.explore) return;
    plot.dataset.explore = "on";
    card.classList.add("is-clickable");
    const rawOf = (event) => {
      const point = this.pointed(plot, event);
      if (!point) return undefined;
      return target.point === "name" ? point.data.name : point[target.point];
    };
    plot.on("plotly_click", (event) => {
      const raw = rawOf(event);
      if (raw !== undefined) this.choose(target, raw, Boolean(event.event && event.event.shiftKey));
    });
    plot.on("plotly_hover", (event) => {
      clearTimeout(this.hovering);
      const raw = rawOf(event);
      if (raw !== undefined) this.hovering = setTimeout(() => this.prefetch(target, raw), 80);
    });
    plot.on("plotly_unhover", () => clearTimeout(this.hovering));
  },

  // A pointer rests on a point before it clicks: fetch and parse the figures the click
  // would show meanwhile, so the click draws at once, in its own task. Only the latest
  // point's figures are held; the answers are cacheable, so the server's cache and the
  // browser's keep them for the next click on the same point.
  prefetch(target, raw) {
    const board = databoard;
    const next = this.next(target, raw, false);
    if (!next) return;
    const query = board.currentQuery(new Map([[next.filter.name, next.values]]));
    for (const url of this.hovered ?? []) board.prefetched.delete(url);
    this.hovered = [];
    for (const chart of board.state.charts) {
      const url = `${chart.url}?${board.chartQuery(chart, query)}`;
      if (url === `${chart.url}?${board.chartQuery(chart, board.query)}`) continue;
      board.prefetch(url);
      this.hovered.push(url);
    }
  },

  // The point a click (or a rest) means. A line chart's "x unified" hover hands the
  // event every series' point at that x, in trace order: the one nearest the pointer is
  // the one meant.
  pointed(plot, event) {
    const points = event.points || [];
    const pointer = event.event;
    if (points.length < 2 || !pointer || !points.every((p) => p.yaxis)) return points[0];
    const top = plot.getBoundingClientRect().top;
    const away = (p) => Math.abs(p.yaxis.d2p(p.y) + p.yaxis._offset + top - pointer.clientY);
    return points.reduce((best, p) => (away(p) < away(best) ? p : best));
  },

  // The filter option a clicked value stands for, or undefined ("Other", a gap...).
  optionOf(target, raw) {
    const filter = databoard.filters.get(target.filter);
    const text = String(raw);
    const found = filter.options.find((o) =>
      target.by === "label" ? o.label === text : String(o.value) === text,
    );
    return found && String(found.value);
  },

  // Click: only this value (again: back to the default). Shift-click: add or remove it.
  choose(target, raw, add) {
    const board = databoard;
    const next = this.next(target, raw, add);
    if (!next) {
      const filter = board.filters.get(target.filter);
      board.announce(`${raw} is not one ${filter.label.toLowerCase()} value to filter by.`);
      return;
    }
    if (next.filter.kind === "select")
      board.form.elements.namedItem(next.filter.name).value = next.values[0] ?? "";
    else board.select(next.filter.name, next.values);
    board.update(true);
  },

  // What a click on *raw* sets: {filter, values}, or undefined if it is no filter value.
  next(target, raw, add) {
    const board = databoard;
    const value = this.optionOf(target, raw);
    const filter = board.filters.get(target.filter);
    if (value === undefined) return undefined;
    if (filter.kind === "select") {
      const now = board.form.elements.namedItem(filter.name).value;
      const chosen = now === value ? String(filter.default ?? "") : value;
      return { filter, values: chosen === "" ? [] : [chosen] };
    }
    const now = board.selection(filter.name);
    let values = add
      ? now.includes(value)
        ? now.filter((v) => v !== value)
        : [...now, value]
      : now.length === 1 && now[0] === value
        ? this.defaults(filter)
        : [value];
    if (!values.length) values = this.defaults(filter);
    return { filter, values };
  },

  defaults(filter) {
    const values = filter.default ?? filter.options.map((o) => o.value);
    return (Array.isArray(values) ? values : [values]).map(String);
  },

  // One chip per click-driven filter whose value differs from its default.
  showChips(query) {
    const board = databoard;
    const names = new Set([...this.targets.values()].map((t) => t.filter));
    const chips = [];
    for (const name of names) {
      const filter = board.filters.get(name);
      const values = query.getAll(name);
      const defaults =
        filter.kind === "select" ? [filter.default ?? ""].map(String) : this.defaults(filter);
      const now = filter.kind === "select" ? [values[0] ?? String(filter.default ?? "")] : values;
      if (!values.length || now.join("\u0000") === defaults.join("\u0000")) continue;
      const labels = new Map(filter.options.map((o) => [String(o.value), o.label]));
      const text = now.map((v) => labels.get(v) ?? v);
      const chip = document.createElement("span");
      chip.className =
        "crossfilter-chip badge rounded-pill text-bg-primary d-inline-flex align-items-center";
      chip.textContent = `${filter.label}: ${text.length > 3 ? `${text.slice(0, 3).join(", ")} +${text.length - 3}` : text.join(", ")}`;
      const clear = document.createElement("button");
      clear.type = "button";
      clear.className = "btn-close btn-close-white ms-2";
      clear.setAttribute("aria-label", `Clear the ${filter.label.toLowerCase()} selection`);
      clear.addEventListener("click", () => this.clear(filter));
      chip.appendChild(clear);
      chips.push(chip);
    }
    this.chips.replaceChildren(...chips);
    this.chips.hidden = chips.length === 0;
  },

  clear(filter) {
    const board = databoard;
    if (filter.kind === "select")
      board.form.elements.namedItem(filter.name).value = filter.default ?? "";
    else board.select(filter.name, this.defaults(filter));
    board.update(true);
  },

  // The Table view: each value of the clicked column becomes a button doing what a click
  // on the chart does, so the keyboard reaches the same filter.
  tableButtons(card, body) {
    const target = this.targets.get(card.dataset.chart);
    if (!target) return;
    const index = body.columns.indexOf(target.column);
    if (index < 0) return;
    const filter = databoard.filters.get(target.filter);
    card.querySelectorAll(".table-view tbody tr").forEach((tr, i) => {
      const cell = tr.cells[index];
      const raw = body.rows[i][index];
      if (raw === null || this.optionOf(target, raw) === undefined) return;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-link btn-sm p-0 text-start";
      button.textContent = cell.textContent;
      button.title = `Filter ${filter.label.toLowerCase()} to ${raw}; Shift adds it`;
      button.addEventListener("click", (event) => this.choose(target, raw, event.shiftKey));
      // Resting on a value (the keyboard's focus, or the pointer) fetches what its click
      // shows, as resting on a point of the chart does.
      const rest = () => {
        clearTimeout(this.hovering);
        this.hovering = setTimeout(() => this.prefetch(target, raw), 80);
      };
      const leave = () => clearTimeout(this.hovering);
      button.addEventListener("focus", rest);
      button.addEventListener("pointerenter", rest);
      button.addEventListener("blur", leave);
      button.addEventListener("pointerleave", leave);
      cell.replaceChildren(button);
    });
  },

  // -- slider with play: steps through the values, the next figures fetched ahead ------

  slider(root) {
    const board = databoard;
    const filter = board.filters.get(root.dataset.filter);
    const select = root.querySelector("select");
    const steps = filter.values.map(String);
    const play = document.createElement("button");
    play.type = "button";
    play.className = "btn btn-outline-primary btn-sm slider-play";
    play.setAttribute("aria-pressed", "false");
    play.textContent = "Play";
    const range = document.createElement("input");
    range.type = "range";
    range.className = "form-range flex-grow-1";
    range.min = "0";
    range.max = String(steps.length - 1);
    range.setAttribute("aria-label", filter.label);
    const shown = document.createElement("output");
    shown.className = "slider-value fw-semibold";
    const sync = () => {
      const index = Math.max(0, steps.indexOf(select.value));
      range.value = String(index);
      range.setAttribute("aria-valuetext", steps[index]);
      shown.textContent = steps[index];
    };
    select.hidden = true;
    select.after(play, range, shown);
    sync();
    range.addEventListener("input", () => {
      select.value = steps[Number(range.value)];
      sync();
    });
    document.addEventListener("databoard:view", () => {
      if (!this.playing) sync();
    });
    const charts = board.state.charts.filter((c) => c.filters.includes(filter.name));

    // Start fetching the figures of the next few steps, so a step draws without waiting.
    const prefetch = (from) => {
      for (let i = from + 1; i <= Math.min(from + 3, steps.length - 1); i++) {
        const query = new URLSearchParams(board.query);
        query.set(filter.name, steps[i]);
        for (const chart of charts) {
          const url = `${chart.url}?${board.chartQuery(chart, query)}`;
          board.prefetch(url);
        }
      }
    };
    const stop = () => {
      clearTimeout(this.timer);
      this.playing = false;
      play.textContent = "Play";
      play.setAttribute("aria-pressed", "false");
      board.prefetched.clear();
      board.flushURL();
      // Paused, the URL holds the step on screen: one history entry for the whole run.
      const text = board.query.toString();
      if (text !== new URLSearchParams(location.search).toString())
        history.pushState({ query: text }, "", board.url(board.query));
    };
    const step = () => {
      if (!this.playing) return;
      const next = Number(range.value) + 1;
      if (next >= steps.length) return stop();
      select.value = steps[next];
      sync();
      prefetch(next);
      const started = performance.now();
      board.update(false).then(() => {
        if (!this.playing) return;
        const wait = Math.max(0, filter.interval - (performance.now() - started));
        this.timer = setTimeout(step, wait);
      });
    };
    window.addEventListener("popstate", () => this.playing && stop());
    play.addEventListener("click", () => {
      if (this.playing) return stop();
      this.playing = true;
      play.textContent = "Pause";
      play.setAttribute("aria-pressed", "true");
      if (Number(range.value) >= steps.length - 1) {
        select.value = steps[0];
        sync();
        board.update(false);
      }
      prefetch(Number(range.value));
      this.timer = setTimeout(step, filter.interval);
    });
  },

  // -- linked options: what the other filters leave, and chosen values left without data --

  linkOptions() {
    const board = databoard;
    if (!board.state.options_url) return;
    let latest = 0;
    // Options follow the filters on columns only: a chart parameter changes none.
    const columns = board.paramsOf(board.state.filters.filter((f) => f.column).map((f) => f.name));
    const narrowing = (query) =>
      [...query]
        .filter(([key]) => columns.has(key))
        .map((pair) => pair.join("="))
        .join("&");
    let asked = narrowing(board.query);
    const fetchOptions = (query) => {
      if (narrowing(query) === asked) return;
      asked = narrowing(query);
      const ticket = ++latest;
      fetch(`${board.state.options_url}?${query}`)
        .then((response) => (response.ok ? response.json() : null))
        .then((body) => body && ticket === latest && this.showOptions(body.filters))
        .catch(() => {}); // the controls keep every option: nothing is lost
    };
    // Asked once the charts are drawn: the server's work for the options, and the
    // browser's for the answer, would otherwise delay them.
    document.addEventListener("databoard:redrawn", (event) => fetchOptions(event.detail));
    if (board.state.linked) this.showOptions(board.state.linked);
  },

  showOptions(filters) {
    const board = databoard;
    for (const [name, linked] of Object.entries(filters)) {
      const available = new Set(linked.options);
      const stale = new Set(linked.stale);
      const widget = board.multiselects.get(name);
      if (widget) {
        widget.list
          .querySelectorAll(".chip")
          .forEach((chip, i) => this.markStale(chip, stale.has(widget.order[i])));
        const list = document.getElementById(`filter-${name}-options`);
        if (list) {
          list.replaceChildren(
            ...linked.options.map((value) => {
              const option = document.createElement("option");
              option.value = widget.labels.get(value) ?? value;
              return option;
            }),
          );
        }
        continue;
      }
      const select = board.form.elements.namedItem(name);
      if (!select || !select.options) continue;
      for (const option of select.options) {
        if (option.value === "") continue;
        option.dataset.label ??= option.textContent;
        const gone = !available.has(option.value);
        option.disabled = gone && !option.selected;
        option.textContent = option.dataset.label + (gone ? " (no data)" : "");
      }
    }
  },

  // A chosen value the other filters leave no rows for stays, marked, never dropped.
  markStale(chip, stale) {
    chip.classList.toggle("chip-stale", stale);
    let note = chip.querySelector(".stale-note");
    if (stale && !note) {
      note = document.createElement("span");
      note.className = "stale-note";
      note.textContent = " (no data)";
      chip.insertBefore(note, chip.querySelector("button"));
    } else if (!stale && note) note.remove();
    if (stale) chip.title = "No rows with the other filters' values";
    else chip.removeAttribute("title");
  },
};

document.addEventListener("DOMContentLoaded", () => databoard.explore.init());
