// youfu pages: a little vanilla JS on top of Bootstrap. Every page works without it, only less handily.
(function () {
  "use strict";

  // Org tree: a <details data-children-url> loads its children the first time it is opened, so the
  // tree of a national bank (tens of thousands of units) is never sent at once.
  function loadChildren(details) {
    var url = details.getAttribute("data-children-url");
    if (!url || details.getAttribute("data-loaded")) return;
    details.setAttribute("data-loaded", "loading");
    var holder = details.querySelector(":scope > .children");
    fetch(url, { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        holder.innerHTML = html;
        details.setAttribute("data-loaded", "yes");
      })
      .catch(function () {
        details.removeAttribute("data-loaded");
        holder.querySelector(".loading").classList.add("text-danger");
      });
  }

  document.addEventListener(
    "toggle",
    function (event) {
      var target = event.target;
      if (target.tagName === "DETAILS" && target.open && target.hasAttribute("data-children-url")) {
        loadChildren(target);
      }
    },
    true
  );

  function expandAll(root) {
    root.querySelectorAll("details").forEach(function (d) { d.open = true; });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-tree-collapse]");
    if (button) {
      document.querySelectorAll(".tree details").forEach(function (d) { d.open = false; });
    }
    var expand = event.target.closest("[data-tree-expand]");
    if (expand) expandAll(document.querySelector(".tree"));
    var more = event.target.closest("[data-more-filters]");
    if (more) {
      var row = more.closest("form").querySelector(".filters");
      row.classList.toggle("expanded");
      more.setAttribute("aria-expanded", row.classList.contains("expanded") ? "true" : "false");
    }
  });

  // Unit code inputs suggest the visible units matching what is typed (server-side, scoped search).
  var timers = new WeakMap();
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[data-unit-suggest]")) return;
    clearTimeout(timers.get(input));
    timers.set(input, setTimeout(function () {
      var term = input.value.trim();
      var list = document.getElementById(input.getAttribute("list"));
      if (!list || term.length < 1) return;
      var url = input.getAttribute("data-unit-suggest") + "?q=" + encodeURIComponent(term);
      fetch(url, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) {
          list.innerHTML = "";
          data.results.forEach(function (unit) {
            var option = document.createElement("option");
            option.value = unit.code;
            option.label = unit.code + " " + unit.name;
            option.textContent = unit.name;
            list.appendChild(option);
          });
        });
    }, 200));
  });
})();
