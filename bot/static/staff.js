/*
 * Køge Kommune – Opkrævningen: the phone-staff console (staff.html).
 *
 * Talks only to /staff/api/ on the same origin (cookie koege_staff, HttpOnly); every text is
 * inserted with textContent. A 401 answer means the login has ended (idle or absolute
 * timeout): the console is hidden and the login form shown with the server's message.
 *
 * Logout and a 401 wipe the console: every panel, every field and every answer still on its
 * way (wipe() bumps `epoch`, and an answer that belongs to an older epoch is dropped), so the
 * next person who logs in at this screen never sees the previous user's citizen data. The
 * full CPR number of a look-up lives only in the closure of its "Vis fuldt CPR-nummer" button,
 * which goes with the panel.
 */
(function () {
  "use strict";

  var API = "/staff/api/";
  var HEADERS = { "Content-Type": "application/json", "X-Requested-With": "koege-chat" };
  var KINDS = { faq: "FAQ", issuer: "Afsender", tariff: "Takst" };
  var searchSeq = 0;
  var searchTimer = null;
  var epoch = 0;  // one per login; answers of an earlier login are ignored

  function $(id) { return document.getElementById(id); }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  function message(text) {
    var box = $("st-message");
    box.textContent = text || "";
    box.hidden = !text;
  }

  function call(method, path, body) {
    var options = { method: method, credentials: "same-origin", headers: HEADERS };
    if (body !== undefined) { options.body = JSON.stringify(body); }
    var asked = epoch;
    return fetch(API + path, options).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; },
                                  function () { return { status: response.status, data: {} }; });
    }).then(function (result) {
      if (asked !== epoch && path !== "login") {
        throw new Error("answer for an earlier login");  // logged out meanwhile: show nothing
      }
      if (result.status === 401 && path !== "login") {
        showLogin(result.data && result.data.expired ? result.data.error : "");
        throw new Error("logged out");
      }
      return result;
    });
  }

  // Forget everything the last login saw or typed: panels, fields, pending timers/answers.
  function wipe() {
    epoch += 1;
    searchSeq += 1;
    if (searchTimer) { window.clearTimeout(searchTimer); searchTimer = null; }
    ["st-results", "st-citizen", "st-preview", "st-content", "st-audit"].forEach(function (id) { clear($(id)); });
    ["st-search-count", "st-whoami"].forEach(function (id) { $(id).textContent = ""; });
    ["st-search", "st-cpr", "st-reason", "st-question", "st-password"].forEach(function (id) { $(id).value = ""; });
    $("st-audit-section").hidden = true;
  }

  // --- login / logout -----------------------------------------------------------------
  function showLogin(text) {
    wipe();
    $("st-console").hidden = true;
    $("st-login").hidden = false;
    message(text || "");
    $("st-username").focus();
  }

  function showConsole(me) {
    wipe();
    message("");
    $("st-login").hidden = true;
    $("st-console").hidden = false;
    $("st-whoami").textContent = "Logget ind som " + me.username + " (" + (me.role === "supervisor" ? "supervisor" : "medarbejder") + ")";
    $("st-audit-section").hidden = me.role !== "supervisor";
    $("st-search").focus();
  }

  function login(event) {
    event.preventDefault();
    call("POST", "login", { username: $("st-username").value, password: $("st-password").value })
      .then(function (result) {
        $("st-password").value = "";
        if (result.status === 200) { showConsole(result.data); }
        else { message(result.data.error || "Log ind mislykkedes."); $("st-username").focus(); }
      });
  }

  function logout() {
    // Wipe at once, not only when the server has answered: the screen is cleared even offline.
    wipe();
    $("st-console").hidden = true;
    call("POST", "logout", {}).then(function () { showLogin("Du er logget ud."); },
                                    function () { showLogin("Du er logget ud."); });
  }

  // --- search -------------------------------------------------------------------------
  function renderResults(data) {
    var list = $("st-results");
    clear(list);
    data.results.forEach(function (r) {
      var item = el("li");
      var title = el("p", "st-title");
      title.appendChild(el("span", "st-kind", KINDS[r.kind] || r.kind));
      title.appendChild(el("strong", null, r.title));
      item.appendChild(title);
      item.appendChild(el("p", "st-body", r.body));
      item.appendChild(el("p", "st-source", "Kilde: " + r.source));
      list.appendChild(item);
    });
    $("st-search-count").textContent = data.query ? data.results.length + " resultater for \u201d" + data.query + "\u201d" : "";
  }

  function search() {
    var query = $("st-search").value;
    var seq = ++searchSeq;
    call("GET", "search?q=" + encodeURIComponent(query)).then(function (result) {
      if (seq === searchSeq && result.status === 200) { renderResults(result.data); }
    }, function () {});
  }

  function onSearchInput() {
    if (searchTimer) { window.clearTimeout(searchTimer); }
    searchTimer = window.setTimeout(search, 60);
  }

  // --- citizen look-up ----------------------------------------------------------------
  function lookup(event) {
    event.preventDefault();
    var cpr = $("st-cpr").value;
    var out = $("st-citizen");
    call("POST", "citizen", { cpr: cpr, reason: $("st-reason").value }).then(function (result) {
      clear(out);
      if (result.status !== 200) { out.appendChild(el("p", "st-message", result.data.error || "Opslaget mislykkedes.")); return; }
      $("st-cpr").value = "";
      $("st-reason").value = "";
      renderCitizen(out, result.data, cpr);
    }, function () {});
  }

  function renderCitizen(out, data, typed) {
    var cprLine = el("p");
    var shown = el("span", "st-cpr", data.cpr_masked);
    cprLine.appendChild(document.createTextNode("CPR: "));
    cprLine.appendChild(shown);
    var toggle = el("button", "st-button st-button--secondary", "Vis fuldt CPR-nummer");
    toggle.type = "button";
    toggle.setAttribute("aria-pressed", "false");
    toggle.addEventListener("click", function () {
      var full = toggle.getAttribute("aria-pressed") !== "true";
      toggle.setAttribute("aria-pressed", full ? "true" : "false");
      toggle.textContent = full ? "Skjul CPR-nummer" : "Vis fuldt CPR-nummer";
      shown.textContent = full ? typed.trim() : data.cpr_masked;
    });
    cprLine.appendChild(document.createTextNode(" "));
    cprLine.appendChild(toggle);
    out.appendChild(cprLine);
    if (!data.found) { out.appendChild(el("p", null, "Ingen borger fundet med det CPR-nummer. Opslaget er logget.")); return; }
    var c = data.citizen;
    out.appendChild(el("h3", null, c.name));
    out.appendChild(el("p", null, "Samlet skyldigt beløb: " + c.total));
    if (!c.claims.length) { out.appendChild(el("p", null, "Ingen åbne krav.")); return; }
    var table = el("table", "st-table");
    var head = el("tr");
    ["Krav", "Beløb", "Forfald", "Status", "Betalings-ID"].forEach(function (h) {
      var th = el("th", null, h); th.scope = "col"; head.appendChild(th);
    });
    table.appendChild(el("thead")).appendChild(head);
    var body = table.appendChild(el("tbody"));
    c.claims.forEach(function (claim) {
      var row = el("tr");
      [claim.text, claim.amount, claim.due, claim.status, claim.payment_id || "–"].forEach(function (v) {
        row.appendChild(el("td", null, v));
      });
      body.appendChild(row);
    });
    out.appendChild(table);
  }

  // --- what would the bot answer --------------------------------------------------------
  function preview(event) {
    event.preventDefault();
    var out = $("st-preview");
    clear(out);
    out.appendChild(el("p", "st-count", "Spørger botten …"));
    call("POST", "preview", { question: $("st-question").value }).then(function (result) {
      clear(out);
      if (result.status !== 200) { out.appendChild(el("p", "st-message", result.data.error || "Fejl.")); return; }
      result.data.messages.forEach(function (m) {
        var box = el("div", "st-bot", m.text);
        if (m.buttons && m.buttons.length) {
          box.appendChild(el("p", "st-source", "Knapper: " + m.buttons.map(function (b) { return b.title; }).join(" · ")));
        }
        out.appendChild(box);
      });
    }, function () {});
  }

  // --- tables: content and audit --------------------------------------------------------
  function table(columns, rows) {
    var t = el("table", "st-table");
    var head = el("tr");
    columns.forEach(function (c) { var th = el("th", null, c[1]); th.scope = "col"; head.appendChild(th); });
    t.appendChild(el("thead")).appendChild(head);
    var body = t.appendChild(el("tbody"));
    rows.forEach(function (r) {
      var row = el("tr");
      columns.forEach(function (c) { row.appendChild(el("td", null, r[c[0]] === null ? "–" : String(r[c[0]]))); });
      body.appendChild(row);
    });
    return t;
  }

  function loadContent() {
    call("GET", "content").then(function (result) {
      var out = $("st-content");
      clear(out);
      if (result.status !== 200) { out.appendChild(el("p", "st-message", result.data.error || "Fejl.")); return; }
      var cols = [["at", "Tidspunkt"], ["question", "Spørgsmål"], ["answer", "Svar"]];
      out.appendChild(el("h3", null, "Ubesvarede spørgsmål (" + result.data.unanswered.length + ")"));
      out.appendChild(table(cols, result.data.unanswered));
      out.appendChild(el("h3", null, "Svar med tommel ned (" + result.data.thumbs_down.length + ")"));
      out.appendChild(table(cols, result.data.thumbs_down));
      if (Array.isArray(result.data.tracker_report) && result.data.tracker_report.length) {
        out.appendChild(el("h3", null, "Fra Rasas samtalelog, grupperet (" + result.data.tracker_report.length + ")"));
        out.appendChild(table([["text", "Spørgsmål"], ["count", "Antal"], ["last_seen", "Senest"]],
                              result.data.tracker_report));
      }
    }, function () {});
  }

  function loadAudit() {
    call("GET", "audit").then(function (result) {
      var out = $("st-audit");
      clear(out);
      if (result.status !== 200) { out.appendChild(el("p", "st-message", result.data.error || "Fejl.")); return; }
      out.appendChild(table([["at", "Tidspunkt"], ["staff", "Medarbejder"], ["cpr_masked", "CPR"],
                             ["citizen_ref", "Borger"], ["reason", "Begrundelse"], ["outcome", "Resultat"]],
                            result.data.rows));
    }, function () {});
  }

  function start() {
    $("st-login-form").addEventListener("submit", login);
    $("st-logout").addEventListener("click", logout);
    $("st-search").addEventListener("input", onSearchInput);
    $("st-citizen-form").addEventListener("submit", lookup);
    $("st-preview-form").addEventListener("submit", preview);
    $("st-content-load").addEventListener("click", loadContent);
    $("st-audit-load").addEventListener("click", loadAudit);
    call("GET", "me").then(function (result) {
      if (result.status === 200) { showConsole(result.data); }
    }, function () {});
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
