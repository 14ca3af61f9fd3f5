// Client-side search. The index comes in parts (search/<outlet>[-<id>].js), each a script that
// pushes {outlet, docs: [[text, topic, url], ...]} onto window.BRIEF_SEARCH_PARTS. The form
// lists the parts (data-search-parts, paths from the site root); they are loaded on the first
// search, a few at a time, and the results grow as they come: a large archive's index is tens
// of megabytes, fetched only by a reader who searches. A page that loads the parts itself,
// with script tags before this one, works as before.
// No framework, no fetch: works from file:// and offline. Seed text is inserted with
// textContent only, never as HTML.
(function () {
  "use strict";
  var form = document.querySelector("[data-search]");
  if (!form) return;
  var input = form.querySelector("input");
  var outlet = form.querySelector("#search-outlet");
  var topic = form.querySelector("#search-topic");
  var status = document.querySelector("[data-search-status]");
  var list = document.querySelector("[data-search-results]");
  var root = "../";
  var SHOWN = 50;
  // Parts loading at once: enough to keep the connection busy, few enough that the first
  // results come early.
  var AT_ONCE = 3;

  var listed = (form.getAttribute("data-search-parts") || "").split(" ").filter(Boolean);
  var preloaded = window.BRIEF_SEARCH_PARTS || [];
  // parts[k]: the kth listed part once it is here, with its texts folded for matching; hits[k]:
  // its matches for the current query. Kept by place, not by arrival, so the results' order
  // does not depend on which part came first.
  var parts = [];
  var hits = [];
  var loading = { next: 0, active: 0, failed: 0 };
  // A page that loaded the parts itself: those are searched, and none is loaded.
  if (preloaded.length > 0) {
    parts = preloaded.map(prepare);
    listed = [];
  }
  // A part calls push while its script runs: `document.currentScript` says which one it is.
  window.BRIEF_SEARCH_PARTS = {
    push: function (part) {
      var script = document.currentScript;
      var k = script && script.hasAttribute("data-part") ? Number(script.getAttribute("data-part")) : NaN;
      if (isNaN(k) || parts[k]) return;
      parts[k] = prepare(part);
      hits[k] = query ? match(parts[k], query) : [];
    }
  };

  function prepare(part) {
    return { outlet: part.outlet, docs: part.docs, folded: part.docs.map(function (d) { return fold(d[0]); }) };
  }

  function fold(s) {
    return s.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[\u2018\u2019]/g, "'");
  }

  function terms(q) {
    return fold(q).split(/[^\p{L}\p{N}']+/u).filter(function (t) { return t.length > 0; });
  }

  function load() {
    while (loading.active < AT_ONCE && loading.next < listed.length) {
      var script = document.createElement("script");
      script.src = root + listed[loading.next];
      script.setAttribute("data-part", String(loading.next));
      script.onload = script.onerror = arrived;
      loading.next += 1;
      loading.active += 1;
      document.body.appendChild(script);
    }
  }

  // A part that could not be fetched, or ran without adding itself, is counted as missing.
  function arrived(event) {
    loading.active -= 1;
    if (!parts[Number(event.target.getAttribute("data-part"))]) loading.failed += 1;
    load();
    show();
  }

  function done() {
    return loading.next === listed.length && loading.active === 0;
  }

  // The matches of one part: [score, doc] for each paragraph holding every word, best first.
  function match(part, q) {
    var found = [];
    if (q.outlet && part.outlet !== q.outlet) return found;
    for (var i = 0; i < part.docs.length; i++) {
      if (q.topic && part.docs[i][1] !== q.topic) continue;
      var score = 0, all = true;
      for (var w = 0; w < q.words.length; w++) {
        if (part.folded[i].indexOf(q.words[w]) < 0) { all = false; break; }
        score += part.folded[i].split(q.words[w]).length - 1;
      }
      if (all) found.push([score, i]);
    }
    return found.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
  }

  var query = null;
  var lastDrawn = "";

  function run() {
    var words = terms(input.value);
    if (words.length === 0) {
      query = null;
      lastDrawn = "";
      list.textContent = "";
      status.removeAttribute("aria-busy");
      status.textContent = "Type to search.";
      return;
    }
    query = { words: words, outlet: outlet.value, topic: topic.value };
    for (var k = 0; k < parts.length; k++) {
      if (parts[k]) hits[k] = match(parts[k], query);
    }
    load();
    show();
  }

  function show() {
    if (!query) return;
    // The best of each part are enough to find the best of all.
    var best = [], total = 0;
    for (var k = 0; k < parts.length; k++) {
      if (!parts[k]) continue;
      total += hits[k].length;
      for (var h = 0; h < hits[k].length && h < SHOWN; h++) best.push([hits[k][h][0], k, hits[k][h][1]]);
    }
    best.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1] || a[2] - b[2]; });
    var count = total + (total === 1 ? " paragraph" : " paragraphs");
    if (done()) {
      status.removeAttribute("aria-busy");
      status.textContent = count + " found" + (total > SHOWN ? "; showing the first " + SHOWN + "." : ".") +
        (loading.failed ? " " + loading.failed + " of " + listed.length + " parts of the index could not be loaded." : "");
    } else {
      // Screen readers wait for the last count rather than hear each part's.
      status.setAttribute("aria-busy", "true");
      var here = parts.filter(Boolean).length;
      status.textContent = "Searching: " + here + " of " + listed.length + " parts of the index loaded, " + count + " found so far.";
    }
    // The list is drawn again only when what it shows changed: a part that adds nothing to the
    // first results leaves it (and a reader's focus in it) as it was.
    var shown = best.slice(0, SHOWN);
    var drawn = query.words.join(" ") + "|" + shown.map(function (hit) { return hit[1] + ":" + hit[2]; }).join(",");
    if (drawn === lastDrawn) return;
    lastDrawn = drawn;
    list.textContent = "";
    shown.forEach(function (hit) {
      var part = parts[hit[1]], d = part.docs[hit[2]];
      var li = document.createElement("li");
      var text = document.createElement("p");
      highlight(text, d[0], query.words);
      var meta = document.createElement("p");
      meta.className = "search-meta";
      var a = document.createElement("a");
      a.href = root + d[2];
      a.textContent = part.outlet;
      meta.appendChild(a);
      meta.appendChild(document.createTextNode(" · " + d[1]));
      li.appendChild(text);
      li.appendChild(meta);
      list.appendChild(li);
    });
  }

  // Wraps matches in <mark>, building nodes so the text is never parsed as HTML.
  function highlight(el, text, words) {
    var f = fold(text);
    if (f.length !== text.length) { el.textContent = text; return; }
    var marks = [];
    words.forEach(function (w) {
      var from = 0, at;
      while ((at = f.indexOf(w, from)) >= 0) { marks.push([at, at + w.length]); from = at + w.length; }
    });
    marks.sort(function (a, b) { return a[0] - b[0]; });
    var pos = 0;
    marks.forEach(function (m) {
      if (m[0] < pos) return;
      el.appendChild(document.createTextNode(text.slice(pos, m[0])));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(m[0], m[1]);
      el.appendChild(mark);
      pos = m[1];
    });
    el.appendChild(document.createTextNode(text.slice(pos)));
  }

  form.addEventListener("submit", function (e) { e.preventDefault(); run(); });
  input.addEventListener("input", run);
  outlet.addEventListener("change", run);
  topic.addEventListener("change", run);
  var q = new URLSearchParams(window.location.search).get("q");
  if (q) { input.value = q; run(); }
})();
