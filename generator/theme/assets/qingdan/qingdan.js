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
