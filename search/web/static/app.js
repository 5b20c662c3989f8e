// The search page without reloads: results as you type, filters on a tick, Back/Forward.
// Every state is a URL the server renders (the page works without this script); this script
// fetches that page and swaps in its #region and #status.
//
// History: one entry per user action. A burst of typing is one action: its first debounced
// search pushes an entry, the following ones of the same burst replace it; the burst ends with
// any other action (a tick, a link, Enter) or when the box loses focus.
"use strict";
(function () {
  var DEBOUNCE_MS = 250;
  var form = document.getElementById("search-form");
  var box = document.getElementById("q");
  var region = document.getElementById("region");
  var status = document.getElementById("status");
  var timer = null;
  var typing = false;   // inside a burst of typing
  var sequence = 0;     // answers to older requests are dropped

  document.documentElement.classList.add("js");
  revealControls();

  function revealControls() {
    document.querySelectorAll(".facet-filter, .copy").forEach(function (el) { el.hidden = false; });
  }

  function formUrl() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (name === "q" && !String(value).trim()) return;
      params.append(name, value);
    });
    var query = params.toString();
    return "/" + (query ? "?" + query : "");
  }

  function currentUrl() {
    return location.pathname + location.search;
  }

  function show(url, how, focusId) {
    var mine = ++sequence;
    return fetch(url, { headers: { "Accept": "text/html" }, credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (text) {
        if (mine !== sequence) return;
        var page = new DOMParser().parseFromString(text, "text/html");
        var newRegion = page.getElementById("region");
        var newStatus = page.getElementById("status");
        if (!newRegion || !newStatus) { location.assign(url); return; }
        if (how === "push") history.pushState({ congres: true }, "", url);
        else if (how === "replace") history.replaceState({ congres: true }, "", url);
        region.replaceChildren.apply(region, Array.from(newRegion.childNodes).map(function (node) {
          return document.importNode(node, true);
        }));
        status.textContent = newStatus.textContent;
        document.title = page.title;
        revealControls();
        if (focusId) {
          var target = document.getElementById(focusId);
          if (target) target.focus();
        }
      })
      .catch(function () { if (mine === sequence) location.assign(url); });
  }

  function queryOf(url) {
    return new URL(url, location.href).searchParams.get("q") || "";
  }

  function navigate(url, focusId) {
    clearTimeout(timer);
    typing = false;
    if (url === currentUrl()) return;
    if (location.pathname === "/" && new URL(url, location.href).pathname === "/") {
      box.value = queryOf(url);
      show(url, "push", focusId);
    } else {
      location.assign(url);
    }
  }

  if (form && location.pathname === "/") {
    box.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var url = formUrl();
        if (url === currentUrl()) return;
        show(url, typing ? "replace" : "push");
        typing = true;
      }, DEBOUNCE_MS);
    });
    box.addEventListener("blur", function () { typing = false; });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(timer);
      var url = formUrl();
      var how = typing ? "replace" : "push";
      typing = false;
      if (url !== currentUrl()) show(url, how);
    });
    document.addEventListener("change", function (event) {
      var input = event.target;
      if (input.matches && input.matches('input[type="checkbox"][form="search-form"]')) {
        navigate(formUrl(), input.id);  // the form holds no page: a new filter starts at page 1
      }
    });
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[data-nav]");
      if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
      event.preventDefault();
      navigate(link.getAttribute("href"));
    });
    window.addEventListener("popstate", function () {
      clearTimeout(timer);
      typing = false;
      box.value = queryOf(location.href);
      show(currentUrl(), "none");
    });
  }

  // "/" puts the cursor in the search box, unless one is already typing somewhere.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
    event.preventDefault();
    box.focus();
    box.select();
  });

  // A long list of values (states) gets a box that narrows it; accents and case do not matter.
  function folded(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  document.addEventListener("input", function (event) {
    var filter = event.target;
    if (!filter.classList || !filter.classList.contains("facet-filter")) return;
    var wanted = folded(filter.value.trim());
    var fieldset = filter.closest("fieldset");
    fieldset.querySelectorAll(".values li").forEach(function (item) {
      item.hidden = wanted !== "" && folded(item.textContent).indexOf(wanted) < 0;
    });
    var more = fieldset.querySelector("details.more");
    if (more && wanted) more.open = true;
  });

  // "copier la citation" on a unit's page.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button.copy");
    if (!button) return;
    var said = button.parentNode.querySelector(".copied");
    var text = button.getAttribute("data-citation");
    var done = function () { said.textContent = "Citation copiée : " + text; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { said.textContent = text; });
    } else {
      said.textContent = text;
    }
  });
})();
