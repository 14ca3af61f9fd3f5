// Client-side search over window.BRIEF_SEARCH_PARTS, one part per outlet (search/<outlet>.js):
// [{outlet, docs: [[text, topic, url], ...]}, ...].
// No framework, no network: works from file:// and offline. Seed text is inserted with
// textContent only, never as HTML.
(function () {
  "use strict";
  var docs = [];
  (window.BRIEF_SEARCH_PARTS || []).forEach(function (part) {
    part.docs.forEach(function (d) { docs.push([d[0], part.outlet, d[1], d[2]]); });
  });
  var form = document.querySelector("[data-search]");
  if (!form) return;
  var input = form.querySelector("input");
  var outlet = form.querySelector("#search-outlet");
  var topic = form.querySelector("#search-topic");
  var status = document.querySelector("[data-search-status]");
  var list = document.querySelector("[data-search-results]");
  var root = "../";
  var folded = docs.map(function (d) { return fold(d[0]); });

  function fold(s) {
    return s.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[\u2018\u2019]/g, "'");
  }

  function terms(q) {
    return fold(q).split(/[^\p{L}\p{N}']+/u).filter(function (t) { return t.length > 0; });
  }

  function run() {
    var words = terms(input.value);
    list.textContent = "";
    if (words.length === 0) { status.textContent = "Type to search."; return; }
    var hits = [];
    for (var i = 0; i < docs.length; i++) {
      if (outlet.value && docs[i][1] !== outlet.value) continue;
      if (topic.value && docs[i][2] !== topic.value) continue;
      var score = 0, all = true;
      for (var w = 0; w < words.length; w++) {
        var at = folded[i].indexOf(words[w]);
        if (at < 0) { all = false; break; }
        score += folded[i].split(words[w]).length - 1;
      }
      if (all) hits.push([score, i]);
    }
    hits.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
    status.textContent = hits.length + (hits.length === 1 ? " paragraph" : " paragraphs") + " found" + (hits.length > 50 ? "; showing the first 50." : ".");
    hits.slice(0, 50).forEach(function (hit) {
      var d = docs[hit[1]];
      var li = document.createElement("li");
      var text = document.createElement("p");
      highlight(text, d[0], words);
      var meta = document.createElement("p");
      meta.className = "search-meta";
      var a = document.createElement("a");
      a.href = root + d[3];
      a.textContent = d[1];
      meta.appendChild(a);
      meta.appendChild(document.createTextNode(" · " + d[2]));
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
