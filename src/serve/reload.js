(function () {
  var generation = __BRIEF_GENERATION__;
  var error = __BRIEF_ERROR__;
  function clear() {
    var old = document.getElementById("brief-error-overlay");
    if (old) old.remove();
  }
  function show(problem) {
    clear();
    var box = document.createElement("div");
    box.id = "brief-error-overlay";
    box.setAttribute("role", "alert");
    box.style.cssText = "position:fixed;inset:0;z-index:2147483647;background:rgba(20,20,20,.97);color:#fff;" +
      "font:15px/1.5 ui-monospace,Menlo,Consolas,monospace;padding:2rem;overflow:auto";
    var title = document.createElement("h2");
    title.style.cssText = "color:#ff7b72;font:bold 18px/1.4 system-ui,sans-serif;margin:0 0 1rem";
    title.textContent = "brief: the last change did not build; showing the last good site";
    var where = document.createElement("p");
    where.style.cssText = "color:#ffa657;margin:0 0 .5rem";
    where.textContent = (problem.file || "") + (problem.line ? ":" + problem.line : "");
    var message = document.createElement("pre");
    message.style.cssText = "white-space:pre-wrap;margin:0 0 1rem";
    message.textContent = problem.message;
    var hint = document.createElement("p");
    hint.style.cssText = "color:#aaa;font-family:system-ui,sans-serif";
    hint.textContent = "Fix it and save: the page reloads by itself. Click to hide.";
    box.append(title, where, message, hint);
    box.addEventListener("click", clear);
    document.body.appendChild(box);
  }
  if (error) show(error);
  if (!window.EventSource) return;
  var events = new EventSource("/__brief/events");
  events.addEventListener("hello", function (e) {
    var state = JSON.parse(e.data);
    if (state.generation !== generation) location.reload();
    else if (state.error) show(state.error);
  });
  events.addEventListener("reload", function () { location.reload(); });
  events.addEventListener("build-error", function (e) { show(JSON.parse(e.data)); });
})();
