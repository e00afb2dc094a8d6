/* Qingdan page behaviour: no external requests, works without a server. */
(function () {
  "use strict";
  var root = document.documentElement;

  /* 适老化: large text and high contrast, remembered on this device. */
  function apply(name, on) {
    root.classList.toggle(name, on);
    document.querySelectorAll('[data-qd-toggle="' + name + '"]').forEach(function (b) {
      b.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }
  ["qd-large", "qd-contrast"].forEach(function (name) {
    var saved = null;
    try { saved = window.localStorage.getItem(name); } catch (e) { /* private mode */ }
    apply(name, saved === "1");
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-qd-toggle]");
    if (!button) return;
    var name = button.getAttribute("data-qd-toggle");
    var on = !root.classList.contains(name);
    apply(name, on);
    try { window.localStorage.setItem(name, on ? "1" : "0"); } catch (e) { /* ignore */ }
  });

  /* 简体/繁體: the header switch (and the note atop a Traditional page) remember the choice; the
     page head (theme/main.html) follows it on later visits. */
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-qd-script]");
    if (!link) return;
    try { window.localStorage.setItem("qd-script", link.getAttribute("data-qd-script")); } catch (e) { /* ignore */ }
  });

  /* A feed link (订阅) says what a feed is, for someone who has never used one: written once here,
     not into each of 10,000 item pages (templates/macros.html: feed_link). */
  document.querySelectorAll('.qd-feed a[type="application/atom+xml"]:not([title])').forEach(function (link) {
    link.title = "订阅地址：复制这个链接，添加到 RSS 或 Atom 阅读器；清单有调整时，阅读器会提示您。";
  });

  /* Links to other sites: the customary confirmation before leaving (政府网站惯例). */
  var siteName = (document.querySelector('meta[name="SiteName"]') || {}).content || "本网站";
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link || link.hasAttribute("data-qd-no-confirm")) return;
    var url;
    try { url = new URL(link.getAttribute("href"), window.location.href); } catch (e) { return; }
    if (!/^https?:$/.test(url.protocol) || url.host === window.location.host) return;
    var ok = window.confirm("您访问的链接即将离开“" + siteName + "”，是否继续？\n" + url.href);
    if (!ok) event.preventDefault();
  }, true);
})();

// Long clause text of a legal basis is folded to a few lines; a button unfolds it. Without
// script nothing is folded, and folded text stays in the page (for search and assistive tools).
(function () {
  function fold() {
    document.querySelectorAll(".qd-published.qd-long:not([data-qd-fold])").forEach(function (block) {
      block.setAttribute("data-qd-fold", "");
      block.classList.add("qd-folded");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "qd-fold-toggle md-button";
      button.setAttribute("aria-expanded", "false");
      button.textContent = "展开全文";
      button.addEventListener("click", function () {
        var folded = block.classList.toggle("qd-folded");
        button.setAttribute("aria-expanded", folded ? "false" : "true");
        button.textContent = folded ? "展开全文" : "收起";
      });
      block.insertAdjacentElement("afterend", button);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fold);
  else fold();
})();

// 朗读 (read aloud, as 适老化 sites offer): the browser's own speech synthesis reads the page's main
// content; no outside service. A button beside 大字/高对比, pressed while reading; stops when the
// visitor leaves the page. Whatever keeps it from speaking (no speech synthesis, no Chinese voice,
// an engine error, nothing heard) is said in plain words in a polite live region, and the button
// goes back to 朗读: a visitor is never left with a pressed button and silence.
(function () {
  var group = document.querySelector(".qd-a11y");
  if (!group) return;
  var synth = window.speechSynthesis;
  var supported = !!(synth && window.SpeechSynthesisUtterance);
  var button = document.createElement("button");
  button.type = "button";
  button.className = "qd-a11y__btn";
  button.setAttribute("aria-pressed", "false");
  button.title = "朗读本页正文";
  button.textContent = "朗读";
  group.appendChild(button);

  // The live region exists (empty) from the start, so that screen readers announce what is put in it.
  var status = document.createElement("p");
  status.className = "qd-speech-status";
  status.setAttribute("role", "status");
  var main = document.getElementById("qd-main");
  if (main) main.insertBefore(status, main.firstChild);
  else group.insertAdjacentElement("afterend", status);
  var HELP = "也可以使用手机或电脑自带的读屏功能。";
  var NO_VOICE = "本浏览器没有可用的中文语音，无法朗读。可在系统设置中添加中文语音后再试；" + HELP;
  function say(text) {
    status.textContent = text;
    if (!text) return;
    // The visitor may have scrolled down the page before pressing the button in the header.
    var box = status.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) status.scrollIntoView({block: "center"});
  }

  /* The main content as lines a visitor sees (hidden search terms, buttons and this feature's own
     message left out), in pieces short enough for every engine (some stop after about 200 characters). */
  function pieces() {
    if (!main) return [];
    var out = [];
    (main.innerText || "").split(/\n+/).forEach(function (line) {
      line = line.trim();
      if (!line || line === "展开全文" || line === "收起") return;
      while (line.length > 180) {
        var cut = Math.max(line.lastIndexOf("，", 180), line.lastIndexOf("。", 180), line.lastIndexOf("；", 180));
        cut = cut > 40 ? cut + 1 : 180;
        out.push(line.slice(0, cut));
        line = line.slice(cut);
      }
      if (line) out.push(line);
    });
    return out;
  }
  // A Traditional page (generator/traditional.py) is read with a Taiwan or Hong Kong voice if there
  // is one, else with any Chinese voice (every Chinese voice reads both scripts).
  var lang = document.documentElement.lang || "";
  var wanted = /-HK$/.test(lang) ? "zh-HK" : /Hant/.test(lang) ? "zh-TW" : "zh-CN";
  function chineseVoice() {
    var best = null;
    (synth.getVoices() || []).forEach(function (v) {
      var l = String(v.lang || "").replace("_", "-").toLowerCase();
      if (l === wanted.toLowerCase()) { if (!best || best.exact !== true) best = {voice: v, exact: true}; }
      else if (!best && /^(zh|cmn|yue)\b/.test(l)) best = {voice: v, exact: false};
    });
    return best && best.voice;
  }

  var session = 0; // bumped on every start and stop: events of utterances cancelled before are ignored
  var watchdog = 0;
  function pressed(on) { button.setAttribute("aria-pressed", on ? "true" : "false"); button.textContent = on ? "停止朗读" : "朗读"; }
  function stop(message) {
    session += 1;
    clearTimeout(watchdog);
    if (supported) synth.cancel();
    pressed(false);
    if (message) say(message);
  }
  var ERRORS = {
    "not-allowed": "浏览器不允许本页发出声音。请再点一次“朗读”。",
    "language-unavailable": NO_VOICE, "voice-unavailable": NO_VOICE, "synthesis-unavailable": NO_VOICE,
    "audio-busy": "设备的声音输出正被占用，朗读已停止。请稍后再试。",
    "audio-hardware": "没有找到可用的声音输出设备，朗读已停止。",
    "network": "浏览器的语音需要联网，现在连接不上，朗读已停止。"
  };
  function speak(voice) {
    var list = pieces();
    if (!list.length) { say("本页没有可以朗读的正文。"); return; }
    var mine = ++session;
    var started = false;
    synth.cancel();
    list.forEach(function (text, i) {
      var u = new SpeechSynthesisUtterance(text);
      u.lang = voice.lang || wanted;
      u.voice = voice;
      u.rate = 0.9;
      u.onstart = function () { started = true; };
      u.onerror = function (event) {
        var code = event && event.error;
        if (mine !== session || code === "canceled" || code === "interrupted") return;
        stop(ERRORS[code] || "朗读没有成功，已停止。请稍后再试；" + HELP);
      };
      if (i === list.length - 1) u.onend = function () { if (mine === session) stop(); };
      synth.speak(u);
    });
    pressed(true);
    // An engine that neither starts nor fails leaves silence: say so instead of waiting for ever.
    watchdog = setTimeout(function () {
      if (mine === session && !started && !synth.speaking) stop("朗读没有开始，浏览器没有发出声音。" + HELP);
    }, 5000);
  }
  var waiting = false;
  button.addEventListener("click", function () {
    if (button.getAttribute("aria-pressed") === "true") { stop(); return; }
    say("");
    if (!supported) { say("本浏览器不支持朗读。" + HELP); return; }
    if (waiting) return;
    var voice = chineseVoice();
    if (voice) { speak(voice); return; }
    // Voices often load after the page (voiceschanged): wait a moment for them once.
    waiting = true;
    var done = false;
    function retry() {
      if (done) return;
      done = true;
      waiting = false;
      synth.removeEventListener("voiceschanged", retry);
      var late = chineseVoice();
      if (late) speak(late); else say(NO_VOICE);
    }
    synth.addEventListener("voiceschanged", retry);
    setTimeout(retry, 1500);
  });
  if (supported) {
    window.addEventListener("pagehide", function () { stop(); });
    // Back from the back/forward cache, or back to a tab whose speech the system ended: the button
    // tells the truth.
    window.addEventListener("pageshow", function () { if (!synth.speaking) stop(); });
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden && button.getAttribute("aria-pressed") === "true" && !synth.speaking && !synth.pending) stop();
    });
  }
})();

// Print: a head with the site's name, the page's address and the print date (the page numbers
// are the @page rule's, qingdan.css); written when the visitor prints.
(function () {
  function head() {
    var main = document.getElementById("qd-main");
    if (!main) return;
    var box = main.querySelector(".qd-print-head");
    if (!box) {
      box = document.createElement("div");
      box.className = "qd-print-head";
      box.setAttribute("aria-hidden", "true");
      main.insertBefore(box, main.firstChild);
    }
    var now = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    // The name as the header shows it (in 繁體 on a 繁體 page); the SiteName meta keeps the
    // registered Simplified name (generator/traditional.py leaves it as published).
    var logo = document.querySelector(".md-header .md-logo[aria-label]");
    var site = (logo && logo.getAttribute("aria-label")) ||
      (document.querySelector('meta[name="SiteName"]') || {}).content || "";
    box.textContent = "";
    [site, "网址：" + window.location.href,
     "打印日期：" + now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate())].forEach(function (t) {
      var p = document.createElement("p");
      p.textContent = t;
      box.appendChild(p);
    });
  }
  window.addEventListener("beforeprint", head);
  if (window.matchMedia) {
    var query = window.matchMedia("print");
    if (query.addEventListener) query.addEventListener("change", function (e) { if (e.matches) head(); });
  }
})();
