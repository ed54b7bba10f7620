// databoard: numbers as text by d3-format specifiers, the rules plotly.js formats axes
// and hovers with. The server gives each column of a chart's data its specifier (the
// author's, or one chosen from the values: whole numbers exactly, years without commas);
// the Table view formats with it, as the server formats the table kind's cells
// (databoard/charts/numbers.py, which this mirrors line for line).
"use strict";

Object.assign(databoard, {
  numberSpec: /^(?:(.)?([<>=^]))?([+\-( ])?([$#])?(0)?(\d+)?(,)?(?:\.(\d+))?(~)?([a-z%])?$/i,
  numberTypes: "bcdeEfFgGnoprsxX%",
  siPrefixes: ["y", "z", "a", "f", "p", "n", "µ", "m", "", "k", "M", "G", "T", "P", "E", "Z", "Y"],

  // Return spec as plotly.js reads it: it trims the zeros of a few (Lib.adjustFormat).
  asPlotly(spec) {
    if (!spec || /^\d[.]\df/.test(spec) || /[.]\d%/.test(spec)) return spec;
    if (spec === "0.f") return "~f";
    if (/^\d%/.test(spec)) return "~%";
    if (/^\ds/.test(spec)) return "~s";
    const sign = spec.match(/^[+\-( ]?/)[0];
    const rest = spec.slice(sign.length);
    return !/^[~,.0$#]/.test(rest) && /[&fps]/.test(rest) ? sign + "~" + rest : spec;
  },

  // Return value as text by spec, as plotly.js shows it; "" when it is missing.
  // A spec it cannot read shows the number as it is.
  formatNumber(spec, value) {
    if (value === null || value === undefined || Number.isNaN(value)) return "";
    const match = this.numberSpec.exec(this.asPlotly(spec || ""));
    if (!match || (match[10] && !this.numberTypes.includes(match[10]))) return String(value);
    let [, fill, align, sign, symbol, zero, width, comma, precision, trim, type] = match;
    if (zero) {
      fill = fill || "0";
      align = align || "=";
    }
    fill = fill || " ";
    align = align || ">";
    sign = sign || "-";
    const widthN = width ? Number(width) : 0;
    let prec = precision !== undefined ? Number(precision) : undefined;
    let trimmed = Boolean(trim);
    type = type || "";
    if (type === "n") {
      comma = ",";
      type = "g";
    } else if (!this.numberTypes.includes(type) || type === "") {
      if (prec === undefined) prec = 12;
      trimmed = true;
      type = "g";
    }
    if (prec === undefined) prec = 6;
    else if ("gprs".includes(type)) prec = Math.max(1, Math.min(21, prec));
    else prec = Math.max(0, Math.min(20, prec));
    let x = Number(value);
    let negative = x < 0 || 1 / x < 0;
    x = Math.abs(x);
    const suffix = type === "%" || type === "p" ? "%" : "";
    const prefix =
      symbol === "$" ? "$" : symbol === "#" && "boxX".includes(type) ? "0" + type.toLowerCase() : "";
    let si = 0;
    let text;
    if (!Number.isFinite(x)) text = "Infinity";
    else if (type === "d") text = Math.round(x).toString(10);
    else if (type === "f" || type === "F") text = x.toFixed(prec);
    else if (type === "%") text = (x * 100).toFixed(prec);
    else if (type === "e" || type === "E") text = x.toExponential(prec);
    else if (type === "g" || type === "G") text = x.toPrecision(prec);
    else if (type === "r") text = this.roundedDigits(x, prec);
    else if (type === "p") text = this.roundedDigits(x * 100, prec);
    else if (type === "s") [text, si] = this.prefixedDigits(x, prec);
    else {
      const n = Math.round(x);
      const base = { b: 2, o: 8, x: 16 }[type.toLowerCase()];
      text = base ? n.toString(base) : String(n);
      if (type === "X") text = text.toUpperCase();
    }
    if (trimmed) text = this.trimZeros(text);
    if (negative && sign !== "+" && !/[1-9]/.test(text.split("e")[0])) negative = false;
    const before = negative ? (sign === "(" ? "(" : "-") : sign === "-" || sign === "(" ? "" : sign;
    const after =
      (type === "s" ? this.siPrefixes[8 + si / 3] : "") + suffix + (negative && sign === "(" ? ")" : "");
    let number = text;
    let tail = "";
    const cut = text.search(/[^0-9]/);
    if (cut >= 0) {
      number = text.slice(0, cut);
      tail = text.slice(cut);
    }
    if (comma && !zero) number = this.groupDigits(number);
    const head = before + prefix;
    const length = head.length + number.length + tail.length + after.length;
    let padding = length < widthN ? fill.repeat(widthN - length) : "";
    if (comma && zero && padding) {
      number = this.groupDigits(padding + number).slice(
        -(widthN - tail.length - after.length - head.length),
      );
      padding = "";
    }
    if (align === "<") return head + number + tail + after + padding;
    if (align === "=") return head + padding + number + tail + after;
    if (align === "^") {
      const half = padding.length >> 1;
      return padding.slice(0, half) + head + number + tail + after + padding.slice(half);
    }
    return padding + head + number + tail + after;
  },

  decimalParts(x, p) {
    const [mantissa, exponent] = x.toExponential(p - 1).split("e");
    return [mantissa.replace(".", ""), Number(exponent)];
  },

  roundedDigits(x, p) {
    const [coefficient, exponent] = this.decimalParts(x, p);
    if (exponent < 0) return "0." + "0".repeat(-exponent - 1) + coefficient;
    if (coefficient.length > exponent + 1) {
      return coefficient.slice(0, exponent + 1) + "." + coefficient.slice(exponent + 1);
    }
    return coefficient + "0".repeat(exponent - coefficient.length + 1);
  },

  prefixedDigits(x, p) {
    const [coefficient, exponent] = this.decimalParts(x, p);
    const shift = Math.max(-8, Math.min(8, Math.floor(exponent / 3))) * 3;
    const i = exponent - shift + 1;
    const n = coefficient.length;
    if (i === n) return [coefficient, shift];
    if (i > n) return [coefficient + "0".repeat(i - n), shift];
    if (i > 0) return [coefficient.slice(0, i) + "." + coefficient.slice(i), shift];
    return ["0." + "0".repeat(-i) + this.decimalParts(x, Math.max(1, p + i))[0], shift];
  },

  trimZeros(text) {
    let start = -1;
    let end = -1;
    for (let i = 1; i < text.length; i++) {
      const char = text[i];
      if (char === ".") {
        start = end = i;
      } else if (char === "0") {
        if (start === 0) start = i;
        end = i;
      } else if (!/[0-9]/.test(char)) {
        break;
      } else if (start > 0) {
        start = 0;
      }
    }
    return start > 0 ? text.slice(0, start) + text.slice(end + 1) : text;
  },

  groupDigits(digits) {
    const first = digits.length % 3 || 3;
    const groups = [digits.slice(0, first)];
    for (let i = first; i < digits.length; i += 3) groups.push(digits.slice(i, i + 3));
    return groups.join(",");
  },
});
