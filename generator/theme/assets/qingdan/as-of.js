/* 按日期查看 (/as-of/, generator/templates/as_of.html): the lists as they stood on any day, from
 * the static API (api/v1/, generator/api/). Nothing here is computed by a server.
 *
 * A day's list is the list file's versions in force that day (valid_from ≤ day < valid_to); an
 * item's values that day come from its item file, fetched when the visitor opens it. A compare of
 * two days sets the versions in force on each side by side: an item on one side only is 新增 or
 * 取消; one whose version differs is 变更 (更名、改码、划转 when its name, code or department
 * differ), with each changed field said as the item pages say it (原为 … → 改为 …).
 *
 * The address carries the choice (?date=YYYY-MM-DD&list=<list id>&compare=YYYY-MM-DD), so a view
 * can be linked. On a 繁體 page (zh-Hant/, generator/traditional.py) this file is a converted copy;
 * what the data says is converted with the site's table (assets/script-map.json), as search does.
 */
(function () {
  "use strict";
  const form = document.querySelector("[data-qd-asof-form]");
  const status = document.querySelector("[data-qd-asof-status]");
  const results = document.querySelector("[data-qd-asof-results]");
  const apiLink = document.querySelector("[data-qd-asof-api]");
  if (!form || !status || !results || !apiLink) return;

  const HANT = /Hant/.test(document.documentElement.lang);
  const API = new URL(".", apiLink.href); // api/v1/ at the site's root (one copy for both scripts)
  const VIEW = new URL("../", window.location.href); // this view's root: item links stay in it
  const DAY = /^\d{4}-\d{2}-\d{2}$/;
  const FETCH_AT_ONCE = 6;
  /* A compare fetches the item files of this many changed items at once (their fields changed are
     listed); each further one has a toggle that fetches its file when opened. At 10,000 items five
     years held 1,410 changed items: fetching them all took 7 s on 127.0.0.1. */
  const EAGER_CHANGES = 100;
  const dateInput = form.elements.date;
  const compareInput = form.elements.compare;
  const listSelect = form.elements.list;

  const cache = new Map();
  function getJSON(path) {
    if (!cache.has(path)) {
      const promise = fetch(new URL(path, API).href).then((r) => {
        if (!r.ok) throw new Error(String(r.status));
        return r.json();
      });
      promise.catch(() => cache.delete(path));
      cache.set(path, promise);
    }
    return cache.get(path);
  }

  /* -- The other script: what the data says, shown in the page's script --------------------- */
  let s2t = null;
  async function loadScriptMap() {
    if (!HANT) return;
    try {
      const r = await fetch(new URL("../../assets/script-map.json", API).href);
      const m = r.ok ? await r.json() : null;
      if (!m) return;
      const phrases = new Map(Object.entries({ ...(m.phrases || {}), ...(m.chrome || {}) }));
      const chars = new Map((m.s2t || "").match(/../gu)?.map((pair) => Array.from(pair)) || []);
      const longest = Array.from(phrases.keys()).sort((a, b) => b.length - a.length)
        .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
      const pattern = new RegExp(longest.concat("[\\u3400-\\u9fff]").join("|"), "gu");
      s2t = (text) => text.replace(pattern, (w) => phrases.get(w) || chars.get(w) || w);
    } catch (e) { /* shown as published */ }
  }
  const shown = (text) => (s2t && text ? s2t(String(text)) : String(text ?? ""));

  /* -- Small DOM helpers --------------------------------------------------------------------- */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? "" : v);
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined && child !== "") {
        node.append(child instanceof Node ? child : document.createTextNode(String(child)));
      }
    }
    return node;
  }
  function say(message) {
    status.textContent = message;
  }
  /* A change that takes effect after the site's own day: approved, not yet in force. */
  function approved(index, day, what) {
    return day && index.next_change && day >= index.next_change
      ? el("span", { class: "qd-pending" }, `（已批准，${day} 起${what}）`) : null;
  }
  function time(day) {
    return el("time", { datetime: day }, day);
  }
  /* A day on or after the next change the record knows of: what is shown includes approved changes not yet in force. */
  function later(index, day) {
    return index.next_change && day >= index.next_change
      ? "所选日期在已批准、尚未施行的调整生效之后：标有“已批准”的内容届时施行。" : "";
  }

  /* -- The data ------------------------------------------------------------------------------ */
  function applies(version, day) {
    return (!version.valid_from || version.valid_from <= day) && (!version.valid_to || day < version.valid_to);
  }
  function inForce(item, day) {
    return item.versions.find((v) => applies(v, day)) || null;
  }
  function itemLink(listId, item, name) {
    return el("a", { href: new URL(`${listId}/${item.code}/`, VIEW).href }, shown(name));
  }
  function departmentName(index, code) {
    const d = index.departments.find((x) => x.code === code);
    return shown(d ? d.short_name : code);
  }
  function fieldLabels(index, listId) {
    const list = index.lists.find((l) => l.id === listId);
    return new Map((list ? list.fields : []).map((f) => [f.id, shown(f.label)]));
  }
  /* A value as the site reads it, from its field's type: each type's `text` in generator/fieldtypes.py
     (法定时限 20 工作日；承诺时限 5 工作日). The item file's `text` has the reading only where the
     site's settings change it (an enum value in its standard wording): the API need not carry both. */
  function blank(v) {
    if (v === null || v === undefined) return true;
    if (typeof v === "string") return !v.trim();
    if (Array.isArray(v)) return v.every(blank);
    if (typeof v === "object") return Object.values(v).every(blank);
    return false;
  }
  function labelled(value, pairs) {
    return pairs.filter(([k]) => !blank(value[k])).map(([k, label]) => `${label}：${value[k]}`).join("；");
  }
  function timeLimit(v) {
    const unit = v.unit || "工作日";
    const parts = [];
    if (v.statutory !== null && v.statutory !== undefined) parts.push(`法定时限 ${v.statutory} ${unit}`);
    if (v.promised !== null && v.promised !== undefined) parts.push(v.promised ? `承诺时限 ${v.promised} ${unit}` : "承诺时限 即办");
    if (v.note) parts.push(`说明：${v.note}`);
    return parts.join("；");
  }
  function basisEntry(e) {
    if (e === null || typeof e !== "object") return String(e);
    return (e.law || "") + (e.article || "") + (e.note ? `（${e.note}）` : "");
  }
  function reading(type, value) {
    if (type === "boolean") return value === null || value === undefined ? "" : (value ? "是" : "否");
    if (blank(value)) return "";
    const record = typeof value === "object" && !Array.isArray(value);
    if (type === "time_limit" && record) return timeLimit(value);
    if (type === "fee" && record) return labelled(value, [["basis", "收费依据"], ["standard", "收费标准"]]);
    if (type === "extra") return record ? labelled(value, Object.keys(value).map((k) => [k, k])) : "";
    if (type === "basis" && Array.isArray(value)) return value.map(basisEntry).join("\n");
    if (type === "ref" && Array.isArray(value)) return value.map(String).join("、");
    if (Array.isArray(value)) return value.filter((v) => !blank(v)).map(String).join(type === "enum" ? "、" : "\n");
    return String(value);
  }
  function fieldTypes(index, listId) {
    const list = index.lists.find((l) => l.id === listId);
    return new Map((list ? list.fields : []).map((f) => [f.id, f.type]));
  }
  function textOf(types, version, field) {
    const text = (version.text || {})[field];
    return text !== undefined ? text : reading(types.get(field), version.values[field]);
  }
  /* The item file's version that the list file's version is (same start, same code). */
  async function itemVersion(listId, item, version) {
    const data = await getJSON(`items/${listId}/${item.code}.json`);
    return data.versions.find((v) => v.valid_from === version.valid_from && v.code === version.code) || null;
  }

  /* -- One day ------------------------------------------------------------------------------- */
  function itemRow(index, listId, item, version, day) {
    const details = el("details", { class: "qd-asof-values" },
      el("summary", {}, "当日内容", el("span", { class: "qd-sr" }, `：${shown(version.name)}`)));
    const region = el("div", { "aria-live": "polite" }, "正在读取……");
    details.append(region);
    details.addEventListener("toggle", async () => {
      if (!details.open || details.dataset.loaded) return;
      details.dataset.loaded = "1";
      try {
        const found = await itemVersion(listId, item, version);
        region.replaceChildren(found ? valuesList(index, listId, found) : "未能找到该日的内容。");
        if (found && found.adjustment) {
          region.append(el("p", { class: "qd-muted" }, `自 ${found.valid_from} 起施行，依据：`,
            shown(found.adjustment.title), found.adjustment.basis ? `（${shown(found.adjustment.basis)}）` : ""));
        }
      } catch (e) {
        delete details.dataset.loaded;
        region.textContent = "读取失败，请稍后再试。";
      }
    });
    return el("li", { class: "qd-asof-item" },
      el("p", { class: "qd-asof-name" }, itemLink(listId, item, version.name)),
      el("p", { class: "qd-muted" }, departmentName(index, version.department), " · 编码 ",
        el("span", { class: "qd-code", translate: "no" }, version.code), approved(index, version.valid_from, "施行")),
      details);
  }
  function valuesList(index, listId, version) {
    const labels = fieldLabels(index, listId);
    const types = fieldTypes(index, listId);
    const dl = el("dl", { class: "qd-dl" });
    for (const field of Object.keys(version.values)) {
      const text = textOf(types, version, field);
      if (!text || field === "name" || field === "code") continue; // both are shown above
      dl.append(el("div", { class: "qd-row" }, el("dt", {}, labels.get(field) || field),
        el("dd", { class: "qd-published" }, shown(text))));
    }
    return dl;
  }

  function showDay(index, list, listInfo, day) {
    const rows = [];
    for (const item of list.items) {
      const version = inForce(item, day);
      if (version) rows.push([item, version]);
    }
    const heading = el("h2", { id: "qd-asof-day" }, time(day), ` 施行的${shown(listInfo.name)}`);
    say(`${day}，${shown(listInfo.name)}共有 ${rows.length} 项事项。${later(index, day)}`);
    const ol = el("ol", { class: "qd-asof-items", "aria-labelledby": "qd-asof-day" },
      rows.map(([item, version]) => itemRow(index, list.list, item, version, day)));
    results.replaceChildren(heading, rows.length ? ol : el("p", { class: "qd-empty" }, "这一天清单上没有事项。"));
  }

  /* -- Two days ------------------------------------------------------------------------------ */
  function kindsOf(a, b) {
    const kinds = [];
    if (a.name !== b.name) kinds.push("renamed");
    if (a.code !== b.code) kinds.push("recoded");
    if (a.department !== b.department) kinds.push("moved");
    return kinds;
  }
  async function fieldChanges(types, listId, item, a, b) {
    const [va, vb] = await Promise.all([itemVersion(listId, item, a), itemVersion(listId, item, b)]);
    if (!va || !vb) return null;
    const fields = new Set([...Object.keys(va.values), ...Object.keys(vb.values)]);
    return Array.from(fields).filter((f) => textOf(types, va, f) !== textOf(types, vb, f))
      .map((f) => [f, textOf(types, va, f), textOf(types, vb, f)]);
  }
  async function inBatches(tasks) {
    const out = new Array(tasks.length);
    let next = 0;
    async function worker() {
      while (next < tasks.length) {
        const i = next++;
        try { out[i] = await tasks[i](); } catch (e) { out[i] = null; }
      }
    }
    await Promise.all(Array.from({ length: Math.min(FETCH_AT_ONCE, tasks.length) }, worker));
    return out;
  }

  async function showCompare(index, list, listInfo, from, to) {
    const word = index.change_kinds;
    const added = [], removed = [], changed = [];
    for (const item of list.items) {
      const a = inForce(item, from), b = inForce(item, to);
      if (!a && b) added.push([item, b]);
      else if (a && !b) removed.push([item, a]);
      else if (a && b && a !== b) changed.push([item, a, b]);
    }
    say(`正在比较 ${from} 与 ${to}……`);
    const labels = fieldLabels(index, list.list);
    const types = fieldTypes(index, list.list);
    const details = await inBatches(changed.slice(0, EAGER_CHANGES)
      .map(([item, a, b]) => () => fieldChanges(types, list.list, item, a, b)));
    const section = (id, title, entries) => el("section", { "aria-labelledby": id },
      el("h3", { id }, `${title}（${entries.length} 项）`),
      entries.length ? el("ul", { class: "qd-event-list" }, entries) : el("p", { class: "qd-empty" }, "无。"));
    const line = (kind, item, v, ...rest) => el("li", {},
      el("span", { class: "qd-tag qd-kind" }, shown(word[kind])), " ", itemLink(list.list, item, v.name), " ",
      el("span", { class: "qd-muted" }, departmentName(index, v.department)),
      kind === "removed" ? approved(index, v.valid_to, "取消") : approved(index, v.valid_from, "施行"), ...rest);
    const fieldList = (fields) => (fields.length ? el("ul", { class: "qd-changes" }, fields.map(([f, old, now]) => el("li", {},
      el("strong", {}, labels.get(f) || f), "：",
      el("del", {}, el("span", { class: "qd-sr" }, "原为："), shown(old) || "（空）"), " → ",
      el("ins", {}, el("span", { class: "qd-sr" }, "改为："), shown(now) || "（空）")))) : null);
    const changedLines = changed.map(([item, a, b], i) => {
      const kinds = kindsOf(a, b);
      const shownFields = (found) => (found || []).filter(([f]) => !["name", "code"].includes(f) || !kinds.length);
      const notes = [];
      if (kinds.includes("renamed")) notes.push(el("span", { class: "qd-muted" }, `（原名：${shown(a.name)}）`));
      if (kinds.includes("recoded")) notes.push(el("span", { class: "qd-muted" }, "（原编码：", el("span", { translate: "no" }, a.code), "）"));
      if (kinds.includes("moved")) notes.push(el("span", { class: "qd-muted" }, `（由${departmentName(index, a.department)}划入）`));
      if (i >= EAGER_CHANGES) return line(kinds[0] || "changed", item, b, ...notes, lazyFields(item, a, b, shownFields));
      const fields = shownFields(details[i]);
      const kind = fields.length || !kinds.length ? "changed" : kinds[0];
      return line(kind, item, b, ...notes, fieldList(fields));
    });
    function lazyFields(item, a, b, pick) {
      const toggle = el("details", { class: "qd-asof-values" },
        el("summary", {}, "逐项查看变化", el("span", { class: "qd-sr" }, `：${shown(b.name)}`)));
      const region = el("div", { "aria-live": "polite" }, "正在读取……");
      toggle.append(region);
      toggle.addEventListener("toggle", async () => {
        if (!toggle.open || toggle.dataset.loaded) return;
        toggle.dataset.loaded = "1";
        try {
          const fields = pick(await fieldChanges(types, list.list, item, a, b));
          region.replaceChildren(fieldList(fields) || "字段内容没有变化。");
        } catch (e) {
          delete toggle.dataset.loaded;
          region.textContent = "读取失败，请稍后再试。";
        }
      });
      return toggle;
    }
    const heading = el("h2", { id: "qd-asof-compare" }, `${shown(listInfo.name)}：`, time(from), " 与 ", time(to), " 比较");
    const summary = `${from} 至 ${to}，${shown(listInfo.name)}${shown(word.added)} ${added.length} 项，` +
      `${shown(word.removed)} ${removed.length} 项，${shown(word.changed)} ${changed.length} 项。${later(index, to)}`;
    results.replaceChildren(heading,
      section("qd-asof-added", shown(word.added), added.map(([item, v]) => line("added", item, v))),
      section("qd-asof-removed", shown(word.removed), removed.map(([item, v]) => line("removed", item, v))),
      section("qd-asof-changed", shown(word.changed), changedLines));
    if (changed.length > EAGER_CHANGES) {
      results.querySelector("#qd-asof-changed").after(el("p", { class: "qd-muted" },
        `${shown(word.changed)}的事项较多：前 ${EAGER_CHANGES} 项列出改动的字段，其余各项展开“逐项查看变化”后读取。`));
    }
    say(summary);
  }

  /* -- The form and the address -------------------------------------------------------------- */
  async function show(index, choice) {
    const listInfo = index.lists.find((l) => l.id === choice.list) || index.lists[0];
    if (!listInfo) { say("本站没有清单。"); return; }
    const days = [choice.date, choice.compare].filter(Boolean);
    const bad = days.find((d) => !DAY.test(d));
    if (bad) { results.replaceChildren(); say(`日期“${bad}”的格式不对，请按 YYYY-MM-DD 填写，例如 2024-01-31。`); return; }
    const first = index.first_published;
    const early = first ? days.filter((d) => d < first) : [];
    say("正在读取清单……");
    const list = await getJSON(listInfo.url);
    if (early.length) {
      results.replaceChildren();
      say(`该日期早于清单首次公布（${first}），当时尚无公布的清单。`);
      return;
    }
    if (choice.compare && choice.compare !== choice.date) {
      const [from, to] = [choice.date, choice.compare].sort();
      await showCompare(index, list, listInfo, from, to);
    } else {
      showDay(index, list, listInfo, choice.date);
    }
  }

  /* The visitor's own day: the lists as they stand today, by the record (a change approved for
     today is in force today, even before the site is built again). */
  function today() {
    const d = new Date();
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  }

  function choiceFromAddress(index) {
    const params = new URLSearchParams(window.location.search);
    return {
      date: (params.get("date") || today()).trim(),
      list: params.get("list") || (index.lists[0] && index.lists[0].id),
      compare: (params.get("compare") || "").trim(),
    };
  }

  function fillForm(choice) {
    dateInput.value = DAY.test(choice.date) ? choice.date : "";
    compareInput.value = DAY.test(choice.compare) ? choice.compare : "";
    if (Array.from(listSelect.options).some((o) => o.value === choice.list)) listSelect.value = choice.list;
  }

  async function start() {
    if (window.location.protocol === "file:") {
      say("直接打开本地文件（file://）时无法读取清单数据。请通过网站地址访问；在本机预览时，可运行 qingdan serve。");
      return;
    }
    let index;
    try {
      [index] = await Promise.all([getJSON("index.json"), loadScriptMap()]);
    } catch (e) {
      say("未能读取清单数据，请稍后再试。");
      return;
    }
    const run = (choice) => show(index, choice).catch(() => say("未能读取清单数据，请稍后再试。"));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const choice = { date: dateInput.value, list: listSelect.value, compare: compareInput.value };
      if (!choice.date) { say("请先选择日期。"); dateInput.focus(); return; }
      const params = new URLSearchParams({ date: choice.date, list: choice.list });
      if (choice.compare) params.set("compare", choice.compare);
      window.history.pushState(null, "", "?" + params.toString());
      run(choice);
    });
    window.addEventListener("popstate", () => {
      const choice = choiceFromAddress(index);
      fillForm(choice);
      run(choice);
    });
    const choice = choiceFromAddress(index);
    fillForm(choice);
    await run(choice);
  }

  start();
})();
