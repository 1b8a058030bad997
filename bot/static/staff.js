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
 * and the query and reason of a name search only in the closures of its choice buttons; both
 * go with their panels (#st-citizen, #st-matches). Nothing of a look-up is kept elsewhere.
 *
 * Citizen look-up by CPR number, betalings-ID or name: the server writes the audit row before
 * it answers. Several citizens of one name come back as a choice list (name, masked CPR);
 * choosing one repeats the search with the chosen citizen's ref and the same reason.
 */
(function () {
  "use strict";

  var API = "/staff/api/";
  var HEADERS = { "Content-Type": "application/json", "X-Requested-With": "koege-chat" };
  var KINDS = { faq: "FAQ", issuer: "Afsender", tariff: "Takst" };
  var LOOKUP = {
    cpr: { label: "CPR-nummer", hint: "10 cifre, fx 010101-0001.", mode: "numeric",
           none: "Ingen borger fundet med det CPR-nummer." },
    payment_id: { label: "Betalings-ID", hint: "15 cifre eller hele linjen fra indbetalingskortet, der begynder med +71<.",
                  mode: "text", none: "Ingen borger har et krav med det betalings-ID." },
    name: { label: "Navn", hint: "Hele navnet eller en del af det, fx \u201djens han\u201d. Æ, ø og å kan også skrives ae, oe og aa.",
            mode: "text", none: "Ingen borger fundet med det navn." }
  };
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
    ["st-results", "st-matches", "st-citizen", "st-preview", "st-content", "st-audit"].forEach(function (id) { clear($(id)); });
    ["st-search-count", "st-whoami"].forEach(function (id) { $(id).textContent = ""; });
    ["st-search", "st-lookup", "st-reason", "st-question", "st-password"].forEach(function (id) { $(id).value = ""; });
    $("st-kind-cpr").checked = true;
    onKindChange();
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
  function lookupKind() {
    var checked = document.querySelector("input[name=st-kind]:checked");
    return checked ? checked.value : "cpr";
  }

  function onKindChange() {
    var kind = LOOKUP[lookupKind()];
    $("st-lookup-label").textContent = kind.label;
    $("st-lookup-hint").textContent = kind.hint;
    $("st-lookup").setAttribute("inputmode", kind.mode);
  }

  function lookup(event) {
    event.preventDefault();
    var request = { kind: lookupKind(), query: $("st-lookup").value, reason: $("st-reason").value };
    clear($("st-matches"));
    ask(request, function () {
      $("st-lookup").value = "";
      $("st-reason").value = "";
    });
  }

  // One audited look-up; `done` runs when the server has accepted it.
  function ask(request, done) {
    var out = $("st-citizen");
    call("POST", "citizen", request).then(function (result) {
      clear(out);
      if (result.status !== 200) { out.appendChild(el("p", "st-message", result.data.error || "Opslaget mislykkedes.")); return; }
      if (done) { done(); }
      var data = result.data;
      if (data.outcome === "several") { renderMatches(data.matches, request); return; }
      if (data.outcome === "too_many") {
        out.appendChild(el("p", null, "Mere end " + data.more_than + " borgere passer på navnet. Skriv mere af navnet, og søg igen. Opslaget er logget."));
        return;
      }
      renderCitizen(out, data, request.kind === "cpr" ? request.query : null);
    }, function () {});
  }

  function renderMatches(matches, request) {
    var box = $("st-matches");
    clear(box);
    box.appendChild(el("p", null, matches.length + " borgere passer på \u201d" + request.query + "\u201d. Vælg den rigtige (opslaget bliver logget):"));
    var list = el("ul", "st-match-list");
    matches.forEach(function (m) {
      var item = el("li");
      var button = el("button", "st-button st-button--secondary", m.name + " (" + m.cpr_masked + ")");
      button.type = "button";
      button.addEventListener("click", function () {
        ask({ kind: request.kind, query: request.query, reason: request.reason, ref: m.ref });
      });
      item.appendChild(button);
      list.appendChild(item);
    });
    box.appendChild(list);
  }

  function fact(list, term, value) {
    if (value === null || value === undefined || value === "") { return; }
    list.appendChild(el("dt", null, term));
    var dd = el("dd");
    if (typeof value === "string") { dd.textContent = value; } else { dd.appendChild(value); }
    list.appendChild(dd);
  }

  function renderClaim(claim) {
    var item = el("li", "st-claim");
    item.appendChild(el("h4", null, claim.text));
    var facts = el("dl", "st-facts");
    fact(facts, "Status", claim.status + ", forfaldsdato " + claim.due);
    fact(facts, "Restbeløb", claim.amount);
    fact(facts, "Oprindeligt beløb", claim.original);
    fact(facts, "Gebyrer", claim.fees);
    fact(facts, "Betalt", claim.paid);
    fact(facts, "Rykkertrin", claim.stage);
    if (claim.reminders.length) {
      var sent = el("ul", "st-reminders");
      claim.reminders.forEach(function (r) {
        sent.appendChild(el("li", null, r.label + " sendt " + r.sent + " – gebyr " + r.fee));
      });
      fact(facts, "Rykkere sendt", sent);
    }
    fact(facts, "Betalings-ID", claim.payment_id || "–");
    fact(facts, "Sådan ser borgeren kravet i chatten", claim.citizen_text);
    fact(facts, "Det siger botten om næste skridt", claim.next_steps);
    item.appendChild(facts);
    return item;
  }

  function renderApplications(out, applications) {
    out.appendChild(el("h4", null, "Ansøgninger om afdragsordning"));
    if (!applications.length) { out.appendChild(el("p", "st-applications-none", "Ingen ansøgninger om afdragsordning.")); return; }
    var t = table([["description", "Krav"], ["claim_no", "Kravnummer"], ["monthly", "Beløb pr. måned"],
                   ["status", "Status"], ["date", "Modtaget"]], applications);
    t.classList.add("st-applications");
    out.appendChild(t);
  }

  function renderCitizen(out, data, typed) {
    var kind = LOOKUP[data.kind] || LOOKUP.cpr;
    var c = data.citizen;
    if (!data.found) {
      if (typed) { out.appendChild(el("p", null, "CPR: " + data.cpr_masked)); }
      out.appendChild(el("p", null, kind.none + " Opslaget er logget."));
      return;
    }
    out.appendChild(el("h3", null, c.name));
    var cprLine = el("p");
    var shown = el("span", "st-cpr", c.cpr_masked);
    cprLine.appendChild(document.createTextNode("CPR: "));
    cprLine.appendChild(shown);
    if (typed) {
      // Only the number staff typed themselves can be shown in full; the server never sends it.
      var toggle = el("button", "st-button st-button--secondary", "Vis fuldt CPR-nummer");
      toggle.type = "button";
      toggle.setAttribute("aria-pressed", "false");
      toggle.addEventListener("click", function () {
        var full = toggle.getAttribute("aria-pressed") !== "true";
        toggle.setAttribute("aria-pressed", full ? "true" : "false");
        toggle.textContent = full ? "Skjul CPR-nummer" : "Vis fuldt CPR-nummer";
        shown.textContent = full ? typed.trim() : c.cpr_masked;
      });
      cprLine.appendChild(document.createTextNode(" "));
      cprLine.appendChild(toggle);
    }
    out.appendChild(cprLine);
    out.appendChild(el("p", null, "Samlet skyldigt beløb: " + c.total));
    if (!c.claims.length) { out.appendChild(el("p", null, "Ingen åbne krav.")); }
    else {
      out.appendChild(el("h4", null, "Åbne krav (" + c.claims.length + ")"));
      var list = el("ul", "st-claims");
      c.claims.forEach(function (claim) { list.appendChild(renderClaim(claim)); });
      out.appendChild(list);
    }
    renderApplications(out, c.applications);
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
      if (!result.data.rows.length) { out.appendChild(el("p", null, "Der er ingen opslag i revisionsloggen endnu.")); return; }
      var rows = result.data.rows.map(function (r) {
        var who = r.staff_name === r.staff ? r.staff : r.staff_name + " (" + r.staff + ")";
        return { at: r.at_local, who: who, kind: r.kind_label, text: r.search_text, cpr: r.cpr_masked,
                 ref: r.citizen_ref, reason: r.reason, outcome: r.outcome_label };
      });
      out.appendChild(table([["at", "Tidspunkt"], ["who", "Medarbejder"], ["kind", "Søgt på"], ["text", "Søgning"],
                             ["cpr", "Borgerens CPR (maskeret)"], ["ref", "Borgerreference"],
                             ["reason", "Begrundelse"], ["outcome", "Resultat"]], rows));
    }, function () {});
  }

  function start() {
    $("st-login-form").addEventListener("submit", login);
    $("st-logout").addEventListener("click", logout);
    $("st-search").addEventListener("input", onSearchInput);
    $("st-citizen-form").addEventListener("submit", lookup);
    Array.prototype.forEach.call(document.querySelectorAll("input[name=st-kind]"), function (radio) {
      radio.addEventListener("change", onKindChange);
    });
    $("st-preview-form").addEventListener("submit", preview);
    $("st-content-load").addEventListener("click", loadContent);
    $("st-audit-load").addEventListener("click", loadAudit);
    call("GET", "me").then(function (result) {
      if (result.status === 200) { showConsole(result.data); }
    }, function () {});
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
