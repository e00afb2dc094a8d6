/* Qingdan search: Pagefind behind Material's header search box (partials/search.html).
 *
 * Pagefind's index is fetched in small chunks only when a visitor searches; it is loaded with a
 * URL relative to this page (Material's __config base), so the site works under a sub-path.
 * Pinyin: item and department pages carry their names' full pinyin and initials (built by
 * qingdan); a query of Latin letters is lower-cased and its spaces removed, so "Shi Pin" finds
 * "shipin…". URL parameters ?q=…&list=…&dept=…&type=… open the search with filters applied.
 *
 * One index serves both scripts. A 繁體 page (zh-Hant/, generator/traditional.py) searches the
 * Simplified index at the site's root: the query goes in converted to Simplified, results lead to
 * the zh-Hant/ pages, and what is shown of them (names, excerpts, filters) is converted to
 * Traditional here, with the site's own conversion table (assets/script-map.json).
 *
 * A portal of regions (generator/regions/search.py): the portal's pagefind/parts.json lists every
 * region's bundles; they are merged here, each tagged with its region's name (filter 地区). A
 * region's own pages find that list one folder up and search every region, their own first.
 */
(function () {
  "use strict";
  const box = document.querySelector("[data-qd-search]");
  const toggle = document.getElementById("__search");
  if (!box || !toggle) return;

  /* A page of the 繁體 view. This file is copied converted into zh-Hant/ (every Chinese character
     of it), so the names of the index's filters are written as escapes: 清单, 部门, 类型. */
  const HANT = /Hant/.test(document.documentElement.lang);
  const FILTER = { list: "\u6e05\u5355", dept: "\u90e8\u95e8", type: "\u7c7b\u578b", region: "\u5730\u533a" };

  /* The dialog's markup (partials/search.html is only its mount point). */
  const ICON = (d) => `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="${d}"/></svg>`;
  const MAGNIFY = "M9.5 3A6.5 6.5 0 0 1 16 9.5c0 1.61-.59 3.09-1.56 4.23l.27.27h.79l5 5-1.5 1.5-5-5v-.79l-.27-.27A6.52 6.52 0 0 1 9.5 16 6.5 6.5 0 0 1 3 9.5 6.5 6.5 0 0 1 9.5 3m0 2C7 5 5 7 5 9.5S7 14 9.5 14 14 12 14 9.5 12 5 9.5 5";
  const ARROW_LEFT = "M20 11v2H8l5.5 5.5-1.42 1.42L4.16 12l7.92-7.92L13.5 5.5 8 11z";
  const CLOSE = "M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12z";
  if (!box.querySelector("[data-qd-search-form]")) {
    box.innerHTML = `<label class="md-search__overlay" for="__search"></label>
<div class="md-search__inner" role="search">
<form class="md-search__form" name="search" data-qd-search-form>
<input type="text" class="md-search__input" name="q" aria-label="搜索事项、部门或拼音首字母" placeholder="搜索事项、部门、拼音" autocapitalize="off" autocorrect="off" autocomplete="off" spellcheck="false" enterkeyhint="search" required data-qd-search-query>
<label class="md-search__icon md-icon" for="__search" title="关闭搜索">${ICON(MAGNIFY)}${ICON(ARROW_LEFT)}</label>
<nav class="md-search__options" aria-label="搜索">
<button type="reset" class="md-search__icon md-icon" title="清空" aria-label="清空" tabindex="-1">${ICON(CLOSE)}</button>
</nav>
</form>
<div class="md-search__output">
<div class="md-search__scrollwrap" tabindex="0" data-md-scrollfix>
<div class="qd-search-filters" role="group" aria-label="筛选" data-qd-search-filters>
<select data-qd-filter="${FILTER.region}" data-qd-param="region" aria-label="按地区筛选" hidden><option value="">全部地区</option></select>
<select data-qd-filter="${FILTER.list}" data-qd-param="list" aria-label="按清单筛选"><option value="">全部清单</option></select>
<select data-qd-filter="${FILTER.dept}" data-qd-param="dept" aria-label="按部门筛选"><option value="">全部部门</option></select>
<select data-qd-filter="${FILTER.type}" data-qd-param="type" aria-label="按事项类型筛选"><option value="">全部类型</option></select>
</div>
<div class="md-search-result" aria-busy="false" data-qd-search-result>
<div class="md-search-result__meta" role="status" aria-live="polite" data-qd-search-meta>键入事项名称、部门名称或拼音（如 spjy）开始搜索</div>
<ol class="md-search-result__list" role="presentation" data-qd-search-list></ol>
<button type="button" class="qd-search-more" data-qd-search-more hidden>显示更多结果</button>
</div>
</div>
</div>
</div>`;
  }

  const form = box.querySelector("[data-qd-search-form]");
  const input = box.querySelector("[data-qd-search-query]");
  const status = box.querySelector("[data-qd-search-meta]");
  const results = box.querySelector("[data-qd-search-result]");
  const list = box.querySelector("[data-qd-search-list]");
  const more = box.querySelector("[data-qd-search-more]");
  const filterBar = box.querySelector("[data-qd-search-filters]");
  const selects = Array.from(box.querySelectorAll("[data-qd-filter]"));
  const regionSelect = box.querySelector(`[data-qd-filter="${FILTER.region}"]`);
  const PAGE_SIZE = 10;
  const RERANK = 20; // results whose names are compared with the query before the first are shown
  const DEBOUNCE_MS = 180;
  const IDLE = status.textContent;
  const FILE_MESSAGE = "直接打开本地文件（file://）时无法使用搜索：浏览器不允许网页读取本地的搜索索引。" +
    "请通过网站地址访问；在本机预览时，可运行 qingdan serve，或在网站目录运行 python3 -m http.server 8000 后访问 http://localhost:8000/。";
  const LOAD_FAILED = "搜索暂时无法使用：未能加载搜索索引。请稍后再试，或通过“部门”“拼音索引”栏目查找事项。";

  const state = { filters: {}, results: [], shown: 0, plan: null, seq: 0, timer: 0 };
  selects.forEach((s) => { state.filters[s.dataset.qdFilter] = ""; });

  /* The root of this page's view: the site's root, or zh-Hant/ on a 繁體 page (result links). */
  function siteRoot() {
    let base = ".";
    try { base = JSON.parse(document.getElementById("__config").textContent).base || "."; } catch (e) { /* default */ }
    return new URL(base.replace(/\/?$/, "/"), window.location.href);
  }

  /* The site's root, where the one index and the script map are. */
  function indexRoot() {
    return HANT ? new URL("../", siteRoot()) : siteRoot();
  }

  /* -- Pagefind, loaded on first use ------------------------------------------------------- */
  /* A region's results weigh this much on another region's pages: Pagefind multiplies each
     result's score by its bundle's indexWeight and sorts the merged results by score, so the
     visitor's own region comes first, then the others (and nameRank keeps it so among the first).
     Strictly first, not a mild boost: the same item is published by every region under the same
     name (十统一), so a mild boost would interleave the neighbours' copies with the county's own. */
  const OTHER_REGIONS_WEIGHT = 1e-6;
  /* The portal's regions being searched ([] on a site of its own): {id, name, root (URL), bundles,
     hant, own (the region whose pages these are)}. */
  let regions = [];
  /* The ids of pages the recent-changes bundles replace or remove, of this site or of every region
     (parts.json: "superseded"); withoutSuperseded leaves them out of the results. */
  let superseded = [];

  function fetchJson(url) {
    return fetch(url.href).then((r) => (r.ok ? r.json() : {})).catch(() => ({}));
  }

  /* The bundles to search, the primary first: [{path, options}]. The site's own parts.json names
     its bundles: {"bundles": ["site/", "items-0/", …]} (an older build: the primary at pagefind/
     itself, {"merge": […]} the others). A portal's names its regions' (generator/regions/search.py);
     a region's site under a portal finds the portal's list one folder up, fetched alongside. */
  async function bundlesToSearch(root, options) {
    const own = fetchJson(new URL("pagefind/parts.json", root));
    const up = root.pathname === "/" ? Promise.resolve({}) : fetchJson(new URL("../pagefind/parts.json", root));
    const mine = await own;
    const portal = mine.regions ? mine : await up;
    const portalRoot = mine.regions ? root : new URL("../", root);
    const listed = (Array.isArray(portal.regions) ? portal.regions : [])
      .map((r) => ({ ...r, root: new URL(r.root, portalRoot), own: false }));
    const here = listed.find((r) => r.root.href === root.href);
    if (here) here.own = true;
    if (!mine.regions && !here) {
      const { bundles, merge } = mine;
      superseded = mine.superseded || [];
      const path = (dir) => new URL("pagefind/" + dir, root).pathname;
      if (bundles && bundles.length) return bundles.map((dir) => ({ path: path(dir), options }));
      return [{ path: null, options }].concat((merge || []).map((dir) => ({ path: path(dir), options })));
    }
    regions = here ? [here].concat(listed.filter((r) => r !== here)) : listed;
    superseded = regions.flatMap((r) => r.superseded || []);
    return regions.flatMap((r) => r.bundles.map((dir) => ({
      path: new URL(dir, portalRoot).pathname,
      options: {
        ...options,
        baseUrl: (HANT && r.hant ? new URL("zh-Hant/", r.root) : r.root).pathname,
        mergeFilter: { [FILTER.region]: r.name },
        indexWeight: here && !r.own ? OTHER_REGIONS_WEIGHT : 1,
      },
    })));
  }

  let pagefindPromise = null;
  function pagefind() {
    if (window.location.protocol === "file:") return Promise.reject(new Error("file"));
    if (!pagefindPromise) {
      const root = indexRoot();
      /* The index is in parts, each a Pagefind bundle (generator/search.py: index_parts). */
      const map = HANT ? scriptMap() : null; // a 繁體 page shows results through it: fetched alongside
      /* noWorker: Pagefind 1.5 would fetch pagefind-worker.js (12 KB gzipped) to run the same
         search in a Web Worker; our queries are small, so it runs on the page (Pagefind PR #937).
         baseUrl: results lead to this view's pages (zh-Hant/… on a 繁體 page). */
      const bundles = bundlesToSearch(root, { baseUrl: siteRoot().pathname, noWorker: true });
      pagefindPromise = import(new URL("pagefind/pagefind.js", root).href).then(async (pf) => {
        const [primary, ...others] = await bundles;
        await pf.options(primary.path ? { ...primary.options, basePath: primary.path } : primary.options);
        if (map) shownMap = await map;
        for (const other of others) await pf.mergeIndex(other.path, other.options);
        await pf.init();
        showRegions();
        return withoutSuperseded(pf, superseded);
      });
      pagefindPromise.catch(() => { pagefindPromise = null; });
    }
    return pagefindPromise;
  }

  /* The region of a result, from its address (each region's results lead under its root). */
  function regionOf(d) {
    return regions.find((r) => d.url.startsWith(r.root.pathname)) || null;
  }

  /* A region's name as this page shows it: the portal's list has it in Traditional too, since this
     site's own conversion table may lack another region's characters (东县 → 東縣). */
  function regionName(name) {
    const r = regions.find((x) => x.name === name);
    return HANT && r && r.name_hant ? r.name_hant : shown(name);
  }

  /* The region filter: shown on a portal's pages and its regions' (more than one region). */
  function showRegions() {
    if (!regionSelect || regions.length < 2 || !regionSelect.hidden) return;
    regionSelect.replaceChildren(regionSelect.options[0], ...regions.map((r) => new Option(regionName(r.name), r.name)));
    ensureOption(regionSelect, state.filters[FILTER.region]);
    regionSelect.value = state.filters[FILTER.region];
    regionSelect.hidden = false;
  }

  /* The last bundle of parts.json may hold the recent changes (generator/search.py: RECENT_PART):
     the pages they replace or remove are still in the other bundles, and parts.json names them
     ("superseded": their ids); a search leaves them out of its results. A page the recent changes
     left as Pagefind had it is in both bundles under one id: it is shown once. */
  function withoutSuperseded(pf, superseded) {
    if (!superseded.length) return pf;
    const gone = new Set(superseded);
    return {
      filters: () => pf.filters(),
      search: async (term, opts) => {
        const found = await pf.search(term, opts);
        const seen = new Set();
        const results = found.results.filter((r) => !gone.has(r.id) && !seen.has(r.id) && seen.add(r.id));
        return { ...found, results };
      },
    };
  }

  /* -- Queries ----------------------------------------------------------------------------- */
  const LATIN = /^[a-z\s'’]+$/i;

  /* The terms to try in order: pinyin-looking queries first without spaces, then as typed. */
  function plan(raw) {
    const text = raw.replace(/\s+/g, " ").trim();
    if (text && LATIN.test(text)) {
      const joined = text.toLowerCase().replace(/[\s'’]/g, "");
      const terms = [joined];
      if (text.includes(" ")) terms.push(text.toLowerCase());
      return { text, terms, pinyin: joined };
    }
    return { text, terms: [text], pinyin: null };
  }

  /* The conversion table (generator/traditional.py: SCRIPT_MAP): Traditional → Simplified for a
     query, Simplified → Traditional (the dictionary's phrases first, then character by character)
     for what a 繁體 page shows. A 繁體 page loads it with the index; a Simplified page only when a
     query finds nothing (typed in Traditional?), so a first search there costs what it did.
     Only conversions that keep a text's length are used, so highlighted ranges stay in place. */
  const HAN = "[\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff]";
  let scriptMapPromise = null;
  function scriptMap() {
    if (!scriptMapPromise) {
      const pairs = (text) => new Map((text || "").match(/../gu)?.map((pair) => Array.from(pair))
        .filter(([a, b]) => a.length === b.length) || []);
      scriptMapPromise = fetch(new URL("assets/script-map.json", indexRoot()).href)
        .then((r) => (r.ok ? r.json() : null), () => null)
        .then((m) => {
          if (!m) return null;
          // The site's own words (其他信息 → 其他資訊 in Taiwan) before the published text's phrases.
          const phrases = new Map(Object.entries({ ...(m.phrases || {}), ...(m.chrome || {}) })
            .filter(([a, b]) => a.length === b.length));
          const longest = Array.from(phrases.keys()).sort((a, b) => b.length - a.length);
          return {
            t2s: pairs(m.t2s), s2t: pairs(m.s2t), phrases,
            pattern: new RegExp(longest.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).concat(HAN).join("|"), "gu"),
          };
        });
    }
    return scriptMapPromise;
  }

  function toSimplified(text, m) {
    return m ? Array.from(text, (c) => m.t2s.get(c) || c).join("") : text;
  }

  /* A name from a 繁體 page (a filter value in a link) as the index has it; the map is then loaded. */
  async function inIndexScript(text) {
    if (!HANT) return text;
    shownMap = shownMap || await scriptMap();
    return toSimplified(text, shownMap);
  }

  /* Loaded first on a 繁體 page (see scriptMap); null elsewhere and where it failed to load. */
  let shownMap = null;
  /* Simplified text of the index as this page shows it. */
  function shown(text) {
    if (!HANT || !shownMap || !text) return text;
    const m = shownMap;
    return text.replace(m.pattern, (w) => m.phrases.get(w) || m.s2t.get(w) || w);
  }

  function activeFilters() {
    const out = {};
    for (const [name, value] of Object.entries(state.filters)) if (value) out[name] = value;
    return out;
  }

  /* Pagefind drops query words that match nothing ("量子计算机" would still list pages with "机构").
     A visitor expects every word to count, so each word of a longer query must match on its own. */
  async function everyWordFound(pf, term) {
    const words = segments(term);
    if (words.length < 2) return true;
    for (const word of words) {
      if (!(await pf.search(word)).results.length) return false;
    }
    return true;
  }

  /* Results of a query: every word must match, then pages holding the words side by side come first. */
  async function searchPlan(pf, p, filters) {
    if (!p.text) return (await pf.search(null, { filters })).results;
    for (const term of p.terms) {
      const found = await pf.search(term, { filters });
      if (!found.results.length || !(await everyWordFound(pf, term))) continue;
      if (p.pinyin || segments(term).length < 2) return found.results;
      const phrase = await pf.search(`"${term.replace(/"/g, "")}"`, { filters });
      const together = new Set(phrase.results.map((r) => r.id));
      return found.results.filter((r) => together.has(r.id)).concat(found.results.filter((r) => !together.has(r.id)));
    }
    return [];
  }

  /* 1 for a result from another region than the one whose pages these are, else 0. */
  function elsewhere(d) {
    const own = regions.find((r) => r.own);
    return own && regionOf(d) !== own ? 1 : 0;
  }

  /* How well a result's name answers the query: 0 the name itself, 1 the name starts with it,
     2 the name (or a department's short name) contains it, 3 the words are elsewhere on the page. */
  function nameRank(d, p) {
    if (p.pinyin) {
      const syllables = d.meta.pinyin ? splitPinyin(d.meta.pinyin) : [];
      const match = pinyinMatch(syllables, p.pinyin);
      if (!match) return 3;
      const full = syllables.join("");
      if (full === p.pinyin || syllables.map((s) => s[0]).join("") === p.pinyin) return 0;
      return match[0] === 0 ? 1 : 2;
    }
    const tokens = p.text.toLowerCase().split(" ");
    if (d.meta.code && d.meta.code.toLowerCase() === tokens.join("")) return 0; // typed the item's code
    const names = [d.meta.title || "", d.meta.short_name || ""].map((n) => n.toLowerCase());
    if (names[0] === tokens.join("")) return 0;
    if (!names.some((n) => tokens.every((tok) => n.includes(tok)))) return 3;
    return names[0].startsWith(tokens[0]) ? 1 : 2;
  }

  function schedule() {
    window.clearTimeout(state.timer);
    busy(true);
    state.timer = window.setTimeout(run, DEBOUNCE_MS);
  }

  /* aria-busy on the results: "true" from a keystroke until the results for it are shown. */
  function busy(on) {
    results.setAttribute("aria-busy", on ? "true" : "false");
  }

  async function run() {
    window.clearTimeout(state.timer);
    state.timer = 0;
    const seq = ++state.seq;
    busy(true);
    try {
      await search(seq);
    } finally {
      if (seq === state.seq) busy(false);
    }
  }

  async function search(seq) {
    let p = plan(input.value);
    const typed = p.text;
    const filters = activeFilters();
    if (!p.text && !Object.keys(filters).length) {
      clearResults(IDLE);
      return;
    }
    let pf;
    try {
      pf = await pagefind();
    } catch (e) {
      if (seq === state.seq) clearResults(window.location.protocol === "file:" ? FILE_MESSAGE : LOAD_FAILED, "qd-search-error");
      return;
    }
    let found;
    try {
      // The index is Simplified: on a 繁體 page, a query goes in converted (a Simplified one is unchanged).
      if (HANT && p.text && !p.pinyin) p = plan(toSimplified(p.text, shownMap));
      found = await searchPlan(pf, p, filters);
      if (!found.length && !HANT && p.text && !p.pinyin) {
        // Typed in Traditional (食品經營) on a Simplified page?
        const converted = plan(toSimplified(p.text, await scriptMap()));
        if (seq !== state.seq) return;
        if (converted.text !== p.text) {
          const again = await searchPlan(pf, converted, filters);
          if (again.length) { p = converted; found = again; }
        }
      }
    } catch (e) {
      if (seq === state.seq) clearResults(LOAD_FAILED, "qd-search-error");
      return;
    }
    if (seq !== state.seq) return;
    p.typed = typed;
    state.plan = p;
    state.results = found.map((result) => ({ result, data: null }));
    state.shown = 0;
    status.classList.remove("qd-search-error", "qd-search-none");
    if (!state.results.length) {
      list.replaceChildren();
      showNone(p, filters);
      return;
    }
    if (p.text) {
      // Pagefind ranks by words on the whole page; among the first results, names that match come first.
      const top = state.results.slice(0, RERANK);
      await loadData(top);
      if (seq !== state.seq) return;
      top.forEach((entry, i) => { entry.order = (elsewhere(entry.data) * 4 + nameRank(entry.data, p)) * RERANK + i; });
      top.sort((a, b) => a.order - b.order);
      state.results.splice(0, top.length, ...top);
    }
    await showMore(seq, true);
    if (seq !== state.seq) return;
    status.textContent = (p.text ? `找到 ${state.results.length} 个结果` : `共 ${state.results.length} 项`) + describeFilters(filters);
  }

  function loadData(entries) {
    return Promise.all(entries.map(async (entry) => {
      if (!entry.data) entry.data = await entry.result.data();
    }));
  }

  function describeFilters(filters) {
    const values = Object.entries(filters).map(([name, value]) => (name === FILTER.region ? regionName(value) : shown(value)));
    return values.length ? `（筛选：${values.join("，")}）` : "";
  }

  function clearResults(message, cls) {
    state.results = [];
    state.shown = 0;
    list.replaceChildren();
    more.hidden = true;
    status.textContent = message;
    status.classList.remove("qd-search-error", "qd-search-none");
    if (cls) status.classList.add(cls);
  }

  function showNone(p, filters) {
    more.hidden = true;
    status.classList.add("qd-search-none");
    const filtered = Object.keys(filters).length > 0;
    const subject = p.text ? `未找到与“${p.typed || p.text}”相关的事项` : "未找到符合条件的事项";
    status.textContent = subject + (filtered ? describeFilters(filters) : "") +
      "。请检查是否有错别字，或换用更短的关键词、拼音首字母（如 spjy）" + (filtered ? "，也可以清除筛选后再试。" : "。");
    if (filtered) {
      const clear = document.createElement("button");
      clear.type = "button";
      clear.className = "qd-search-clear";
      clear.textContent = "清除筛选";
      clear.addEventListener("click", () => { setFilters({}); run(); input.focus(); });
      status.append(" ", clear);
    }
  }

  async function showMore(seq, fresh = false) {
    const batch = state.results.slice(state.shown, state.shown + PAGE_SIZE);
    await loadData(batch);
    if (seq !== state.seq) return;
    if (fresh) list.replaceChildren();
    for (const entry of batch) list.append(renderResult(entry.data, state.plan));
    state.shown += batch.length;
    more.hidden = state.shown >= state.results.length;
    if (!more.hidden) more.textContent = `显示更多结果（还有 ${state.results.length - state.shown} 个）`;
  }

  /* -- Rendering a result ------------------------------------------------------------------ */
  function kindOf(d) {
    const region = regions.length > 1 ? regionOf(d) : null; // a portal's results name their region
    const where = region ? regionName(region.name) + " · " : "";
    if (d.meta.list) return where + shown([d.meta.list, d.meta.department].filter(Boolean).join(" · "));
    if (d.meta.kind) return where + shown(d.meta.kind); // department and list pages (they carry no filters)
    return where + "页面";
  }

  /* The excerpt under a result, built from what the page shows: Pagefind's own excerpt is cut from
     all the indexed text, and would show the index-only terms (pinyin, 俗称 with their characters
     spaced out) that generator/search.py marks with U+2063 … U+2064. Without the page's name at its
     start (it is shown above), around the place where most query words are, highlighted. */
  const INDEX_ONLY = /\u2063[^\u2064]*\u2064?/g;
  const EXCERPT_CHARS = 60;
  const EXCERPT_BEFORE = 12; // characters kept before the first highlighted word

  function visibleText(content) {
    return content.replace(INDEX_ONLY, " ").replace(/\s+/g, " ").trim();
  }

  function excerpt(d, p) {
    let text = visibleText(d.content || "");
    const title = d.meta.title || "";
    if (title && text.startsWith(title)) text = text.slice(title.length).replace(/^[.。\s]+/, "");
    // One character of a longer query (开 of 开饭店) is found everywhere: it does not choose the place.
    const single = p.text.replace(/\s/g, "").length <= 1;
    const ranges = p.text ? textRanges(text, p).filter(([s, e]) => single || e - s > 1).sort((a, b) => a[0] - b[0]) : [];
    let start = 0;
    let best = -1;
    for (const [at] of ranges) {
      const from = Math.max(0, at - EXCERPT_BEFORE);
      const count = ranges.filter(([s, e]) => s >= from && e <= from + EXCERPT_CHARS).length;
      if (count > best) { best = count; start = from; }
    }
    const end = Math.min(text.length, start + EXCERPT_CHARS);
    const out = document.createDocumentFragment();
    if (start > 0) out.append("…");
    out.append(marked(shown(text).slice(start, end), ranges.map(([s, e]) => [s - start, e - start])));
    if (end < text.length) out.append("…");
    return out;
  }

  /* Character ranges of `text` to highlight, as a fragment. */
  function marked(text, ranges) {
    const out = document.createDocumentFragment();
    const flags = new Array(text.length).fill(false);
    for (const [start, end] of ranges) for (let i = Math.max(0, start); i < end && i < text.length; i++) flags[i] = true;
    let i = 0;
    while (i < text.length) {
      let j = i;
      while (j < text.length && flags[j] === flags[i]) j++;
      const part = text.slice(i, j);
      if (flags[i]) {
        const m = document.createElement("mark");
        m.textContent = part;
        out.append(m);
      } else {
        out.append(document.createTextNode(part));
      }
      i = j;
    }
    return out;
  }

  /* Words of a query as Pagefind splits it (Intl.Segmenter, as pagefind.js does for Chinese). */
  function segments(term) {
    if (typeof Intl !== "undefined" && Intl.Segmenter) {
      return Array.from(new Intl.Segmenter("zh", { granularity: "word" }).segment(term))
        .filter((s) => s.isWordLike).map((s) => s.segment);
    }
    return term.split(" ").filter(Boolean);
  }

  /* Where the query's words are in `title` (or any shown text). */
  function textRanges(title, p) {
    const ranges = [];
    const lower = title.toLowerCase();
    for (const token of p.text.toLowerCase().split(" ")) {
      const parts = lower.includes(token) ? [token] : segments(token);
      for (const part of parts) {
        if (!part) continue;
        for (let at = lower.indexOf(part); at >= 0; at = lower.indexOf(part, at + part.length)) {
          ranges.push([at, at + part.length]);
        }
      }
    }
    return ranges;
  }

  /* "ShiPinJingYingXuKe" (meta written by qingdan) → ["shi", "pin", "jing", "ying", "xu", "ke"]. */
  function splitPinyin(text) {
    return (text.match(/[A-Z][a-z]*|[0-9]+|[a-z]+/g) || []).map((s) => s.toLowerCase());
  }

  /* Where a joined pinyin query matches a name's syllables: [first syllable, syllables, chars in last]. */
  function pinyinMatch(syllables, q) {
    for (let start = 0; start < syllables.length; start++) {
      const rest = syllables.slice(start);
      if (rest.map((s) => s[0]).join("").startsWith(q) && q.length <= rest.length) return [start, q.length, 0];
      let left = q;
      let count = 0;
      while (left && count < rest.length) {
        const s = rest[count];
        if (left.startsWith(s)) { left = left.slice(s.length); count++; continue; }
        if (s.startsWith(left)) return [start, count + 1, left.length];
        break;
      }
      if (!left && count) return [start, count, 0];
    }
    return null;
  }

  function pinyinSnippet(syllables, match) {
    const [start, count, partial] = match;
    const text = syllables.join(" ");
    let from = 0;
    for (let i = 0; i < start; i++) from += syllables[i].length + 1;
    let to = from;
    for (let i = start; i < start + count; i++) {
      const isLast = i === start + count - 1;
      to += isLast && partial ? partial : syllables[i].length + (isLast ? 0 : 1);
    }
    const p = document.createElement("p");
    p.className = "qd-search-pinyin";
    p.append("拼音：", marked(text, [[from, to]]));
    return p;
  }

  function renderResult(d, p) {
    const title = d.meta.title || d.url;
    const li = document.createElement("li");
    li.className = "md-search-result__item";
    const a = document.createElement("a");
    a.className = "md-search-result__link";
    a.href = d.url;
    const article = document.createElement("article");
    article.className = "md-search-result__article md-typeset";
    const h = document.createElement("h1");
    const kind = document.createElement("p");
    kind.className = "qd-search-kind";
    kind.textContent = kindOf(d);

    const syllables = p.pinyin && d.meta.pinyin ? splitPinyin(d.meta.pinyin) : null;
    const match = syllables ? pinyinMatch(syllables, p.pinyin) : null;
    if (match) {
      // Highlight the characters of the matched syllables when each character is one syllable.
      const chars = Array.from(title);
      const ranges = chars.length === syllables.length ? [[match[0], match[0] + match[1]]] : [];
      h.append(marked(shown(title), ranges));
      article.append(h, kind, pinyinSnippet(syllables, match));
    } else {
      h.append(p.text ? marked(shown(title), textRanges(title, p)) : document.createTextNode(shown(title)));
      const snippet = document.createElement("p");
      snippet.append(excerpt(d, p));
      article.append(h, kind, snippet);
    }
    a.append(article);
    li.append(a);
    return li;
  }

  /* -- Filters ----------------------------------------------------------------------------- */
  function setFilters(values) {
    for (const s of selects) {
      const name = s.dataset.qdFilter;
      state.filters[name] = values[name] || "";
      ensureOption(s, state.filters[name]);
      s.value = state.filters[name];
    }
  }

  function ensureOption(select, value) {
    if (!value || Array.from(select.options).some((o) => o.value === value)) return;
    select.append(new Option(shown(value), value));
  }

  /* The values (with counts) are fetched when a visitor reaches for the filters, not before:
     most searches never use them, and at 10,000 items they weigh as much as the first results. */
  let filtersLoaded = false;
  async function loadFilterOptions() {
    if (filtersLoaded) return;
    filtersLoaded = true;
    let all;
    try {
      all = await (await pagefind()).filters();
    } catch (e) {
      filtersLoaded = false;
      return;
    }
    for (const s of selects) {
      const counts = all[s.dataset.qdFilter] || {};
      const names = Object.keys(counts).sort((x, y) => x.localeCompare(y, "zh-CN"));
      if (s === regionSelect) {
        // In the portal's order (the visitor's own region first), with the counts.
        if (regions.length < 2) continue;
        s.replaceChildren(s.options[0], ...regions.map((r) => new Option(`${regionName(r.name)}（${counts[r.name] || 0}）`, r.name)));
        s.value = state.filters[FILTER.region];
        continue;
      }
      const first = s.options[0];
      s.replaceChildren(first, ...names.map((n) => new Option(`${shown(n)}（${counts[n]}）`, n)));
      ensureOption(s, state.filters[s.dataset.qdFilter]);
      s.value = state.filters[s.dataset.qdFilter];
      s.hidden = names.length === 0;
    }
    filterBar.hidden = selects.every((s) => s.hidden);
  }
  ["pointerenter", "touchstart", "focusin"].forEach((type) => {
    filterBar.addEventListener(type, () => { loadFilterOptions(); }, { passive: true });
  });

  selects.forEach((s) => s.addEventListener("change", () => {
    state.filters[s.dataset.qdFilter] = s.value;
    run();
  }));

  /* -- Opening, closing and the keyboard --------------------------------------------------- */
  function opened() {
    if (window.location.protocol === "file:") {
      clearResults(FILE_MESSAGE, "qd-search-error");
      return;
    }
    pagefind().catch(() => clearResults(LOAD_FAILED, "qd-search-error"));
  }

  function open() {
    if (!toggle.checked) {
      toggle.checked = true;
      opened();
    }
    input.focus();
  }

  function close() {
    toggle.checked = false;
    input.blur();
  }

  toggle.addEventListener("change", () => {
    if (toggle.checked) {
      opened();
      window.setTimeout(() => input.focus(), 50);
    } else {
      input.blur();
    }
  });
  input.addEventListener("focus", () => { if (!toggle.checked) open(); });
  input.addEventListener("input", schedule);
  form.addEventListener("submit", (event) => event.preventDefault());
  form.addEventListener("reset", () => window.setTimeout(() => { run(); input.focus(); }, 0));
  more.addEventListener("click", () => showMore(state.seq).catch(() => clearResults(LOAD_FAILED, "qd-search-error")));

  function links() {
    return Array.from(list.querySelectorAll(".md-search-result__link"));
  }

  function editable(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const active = document.activeElement;
    if (!toggle.checked) {
      if ((event.key === "/" || event.key === "s" || event.key === "f") && !editable(active)) {
        event.preventDefault();
        open();
        input.select();
      }
      return;
    }
    const items = links();
    const at = items.indexOf(active);
    if (event.key === "Escape") {
      event.preventDefault();
      close();
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (active && active.tagName === "SELECT") return;
      if (!items.length) return;
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      const next = at + step;
      if (next < 0 || next >= items.length) input.focus();
      else items[next].focus();
    } else if (event.key === "Enter" && active === input) {
      event.preventDefault();
      const stale = state.timer || results.getAttribute("aria-busy") === "true";
      if (stale || !items.length) run().then(() => { const first = links()[0]; if (first) first.click(); });
      else items[0].click();
    }
  });

  /* "在本部门事项中搜索" on a department page: open the search filtered to that department. */
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("[data-qd-search-department]");
    if (!link) return;
    event.preventDefault();
    open();
    // On a 繁體 page the department's name is in Traditional; the index's is Simplified.
    inIndexScript(link.getAttribute("data-qd-search-department")).then((name) => {
      setFilters({ ...state.filters, [FILTER.dept]: name });
      run();
    });
  });

  /* ?q=食品&dept=示例县市场监督管理局&list=权力清单&type=行政许可 */
  const params = new URLSearchParams(window.location.search);
  const fromUrl = {};
  let anyParam = false;
  for (const s of selects) {
    const value = params.get(s.dataset.qdParam);
    if (value) { fromUrl[s.dataset.qdFilter] = value; anyParam = true; }
  }
  /* A page that reads its own address (按日期查看: ?date=…&list=…) keeps its parameters to itself. */
  const ownParams = document.querySelector("[data-qd-page-params]");
  if (!ownParams && (params.get("q") || anyParam)) {
    input.value = params.get("q") || "";
    open();
    // A 繁體 page's links name the filters in Traditional (?dept=示例縣…): the index's names are Simplified.
    Promise.all(Object.entries(fromUrl).map(async ([name, value]) => [name, await inIndexScript(value)]))
      .then((entries) => { setFilters(Object.fromEntries(entries)); run(); });
  }
})();
