/*
 * Køge Kommune – Opkrævningen: chat widget.
 *
 * Embedded with one tag: <script src="/static/widget.js" defer></script>
 * Vanilla JavaScript, no framework, no third-party origin. It talks only to the gateway
 * (POST /api/chat, /api/feedback, /api/logout, GET /api/session; session cookie); every
 * text is inserted with textContent. The rendered conversation is kept in sessionStorage so
 * a reload shows the history. "Log ind med MitID" goes to /login.
 *
 * On another site (one of the gateway's ALLOWED_EMBED_ORIGINS) the tag names the gateway's
 * absolute address. The gateway is then the origin this script was loaded from (its own src,
 * read once at load time): the API is called there with credentials "include" (CORS). The
 * session cookie is then `SameSite=None; Secure; Partitioned` (CHIPS): the browser keeps it for
 * the gateway *on this site* only, which browsers that block third-party cookies still allow
 * (Chromium >= 114 and Firefox; Safari partitions or blocks in its own way and is not tested).
 * The login happens on the gateway's own page, whose cookies are another jar, so it is handed
 * over (bot/handover.py): the widget keeps a random nonce in this page's sessionStorage and
 * sends its SHA-256 with the login link (h=, next=<this page>); the gateway returns here with a
 * one-time code in the fragment (#koege-login=…, never sent to a server), which the widget takes
 * out of the address bar at once and POSTs with the nonce to /api/login/handover, logging in its
 * own session. If that still leaves the widget without a cookie (a browser that blocks even
 * partitioned cookies), it says so and links to the gateway's own page, where the login holds.
 *
 * One turn of the bot is one message: its paragraphs, its source line as a link to the passage
 * it came from, one "Godt svar / Dårligt svar" pair. Phone numbers become tel: links; payment
 * codes (+71 …) and long digit runs are never broken across lines.
 *
 * Personal data: an answer the gateway marks `personal` (given while logged in), the question
 * before it and the "logged in as" notice are stored with `personal: true`. "Log ud" starts a
 * fresh conversation (DOM and sessionStorage emptied); when the server ends a logged-in
 * session (idle or absolute expiry) the personal messages are removed and the rest is kept.
 *
 * On a small screen the panel covers the page: it is then aria-modal and keeps Tab inside.
 */
(function () {
  "use strict";

  if (window.__koegeChatLoaded) { return; }
  window.__koegeChatLoaded = true;

  // All Danish interface text of the widget (the gateway's own texts are in bot/texts.py).
  var TEXTS = {
    launcher: "Chat med Opkrævningen",
    launcherLabel: "Chat med Opkrævningen (åbner chatvinduet)",
    title: "Opkrævningen – chat",
    close: "Luk chatten",
    intro: "Jeg er en automatisk assistent, ikke et menneske, og jeg svarer på spørgsmål om regninger, betaling og kommunens priser for 2024.",
    logLabel: "Samtale med Opkrævningens automatiske assistent",
    inputLabel: "Skriv dit spørgsmål",
    inputHint: "Tryk Enter for at sende og Skift+Enter for ny linje.",
    send: "Send",
    typing: "Skriver …",
    you: "Du skrev:",
    bot: "Assistenten skrev:",
    notice: "Besked:",
    choices: "Svarmuligheder",
    login: "Log ind med MitID",
    loginHint: "Log ind for at se din egen saldo og dine betalings-ID'er.",
    loggedInAs: "Logget ind som ",
    loggedIn: "Du er nu logget ind som {name}. Spørg fx: \"Hvad skylder jeg?\"",
    logout: "Log ud",
    loggedOut: "Du er logget ud. Samtalen og dine oplysninger er fjernet fra denne skærm.",
    loginBlocked: "Du er logget ind, men din browser blokerer de cookies, som chatten skal bruge på denne side. Derfor kan chatten her ikke se, at du er logget ind. Du kan fortsætte logget ind i chatten på Opkrævningens egen side.",
    loginBlockedLink: "Åbn chatten på Opkrævningens egen side",
    logoutFailed: "Samtalen er fjernet fra denne skærm, men jeg kunne ikke logge dig ud på grund af en teknisk fejl. Luk browservinduet for at være sikker.",
    personalRemoved: "Dine personlige oplysninger er fjernet fra samtalen, fordi du ikke længere er logget ind.",
    source: "Kilde",
    newWindow: " (åbner i et nyt vindue)",
    count: "{n} af {max} tegn",
    limit: "Du har nået grænsen på {max} tegn. Skriv gerne dit spørgsmål kortere.",
    rateUp: "Godt svar",
    rateDown: "Dårligt svar",
    rateGroup: "Var svaret nyttigt?",
    rated: "Tak for din vurdering.",
    handover: "Vil du tale med en medarbejder? Ring til Opkrævningen:",
    phone: "5667 2450",
    phoneHref: "tel:+4556672450",
    sessionExpired: "Din tidligere samtale er udløbet, så jeg har startet en ny. Jeg kan ikke se, hvad vi skrev før, så stil gerne dit spørgsmål igen.",
    technicalError: "Beklager, jeg kan ikke svare lige nu på grund af en teknisk fejl. Prøv igen om lidt, eller ring til Opkrævningen på tlf. 5667 2450."
  };

  var API_URL = "/api/chat";
  var FEEDBACK_URL = "/api/feedback";
  var SESSION_URL = "/api/session";
  var LOGOUT_URL = "/api/logout";
  var HANDOVER_URL = "/api/login/handover";
  var HANDOVER_FRAGMENT = /^#koege-login=([A-Za-z0-9_-]{20,64})?/;
  var NONCE_KEY = "koege-chat-login-nonce";
  var LOGIN_PATH = "/login";
  var CHECK_EVERY_MS = 60000;
  var STORAGE_KEY = "koege-chat-v1";
  var MAX_STORED = 200;
  var MAX_CHARS = 1000;
  var COUNT_FROM = 900;  // the counter shows from here
  var SMALL_SCREEN = "(max-width: 30rem)";  // widget.css: the panel is full-screen
  // Phone numbers as the sources write them ("5667 2450"); not inside amounts or longer numbers.
  var PHONE = /(^|[^\d.,])(\d{4}) (\d{4})(?![\d]|[.,]\d)/g;
  // Codes that must stay on one line: the FI line "+71<…+…<" and digit runs of 8 or more.
  var CODE = /\+71<\d+\+\d+<|\d{8,}/g;

  var script = document.currentScript;
  var baseUrl = script && script.src ? script.src : window.location.href;
  // Embedded on another site: the gateway is where this script came from.
  var BOT_ORIGIN = new URL(baseUrl).origin;
  var CROSS = BOT_ORIGIN !== window.location.origin;
  var CREDENTIALS = CROSS ? "include" : "same-origin";

  function api(path) { return CROSS ? BOT_ORIGIN + path : path; }

  // The gateway's own page without the login flag (the gateway appends login=1 on return).
  function pageAddress(withHash) {
    var params = new URLSearchParams(window.location.search);
    params.delete("login");
    var query = params.toString();
    return window.location.pathname + (query ? "?" + query : "") + (withHash ? window.location.hash : "");
  }

  // Embedded: the nonce of the login hand-over (bot/handover.py) and its SHA-256 for the link.
  var nonceHash = null;

  function storedNonce() {
    try { return window.sessionStorage.getItem(NONCE_KEY); } catch (e) { return null; }
  }

  function prepareNonce() {
    nonceHash = null;
    if (!CROSS || !window.crypto || !window.crypto.subtle || !window.crypto.getRandomValues) { return; }
    var nonce = storedNonce();
    if (!nonce) {
      var bytes = new Uint8Array(32);
      window.crypto.getRandomValues(bytes);
      nonce = btoa(String.fromCharCode.apply(null, bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
      try { window.sessionStorage.setItem(NONCE_KEY, nonce); } catch (e) { return; }  // no storage: no hand-over
    }
    window.crypto.subtle.digest("SHA-256", new TextEncoder().encode(nonce)).then(function (digest) {
      nonceHash = Array.prototype.map.call(new Uint8Array(digest), function (b) {
        return ("0" + b.toString(16)).slice(-2);
      }).join("");
      if (ui.login) { ui.login.href = loginHref(); }
    }, function () { /* no hash: the login works on the gateway's page only */ });
  }

  function forgetNonce() {
    try { window.sessionStorage.removeItem(NONCE_KEY); } catch (e) { /* nothing stored */ }
  }

  function loginHref() {
    var url = new URL(LOGIN_PATH, baseUrl);
    if (CROSS) {
      // This page as it is (its own query untouched); the code comes back in the fragment.
      url.searchParams.set("next", window.location.origin + window.location.pathname + window.location.search);
      if (nonceHash) { url.searchParams.set("h", nonceHash); }
    }
    return url.href;
  }

  // Embedded, back from the login: the one-time code, taken out of the address bar at once.
  function takeHandoverCode() {
    var match = HANDOVER_FRAGMENT.exec(window.location.hash);
    if (!match) { return null; }
    try {
      window.history.replaceState(null, "", window.location.pathname + window.location.search);
    } catch (e) { window.location.hash = ""; }
    return match[1] || "";
  }

  var state = { open: false, messages: [], user: null, expiredShown: false };
  var busy = false;
  var ui = {};

  // --- storage ------------------------------------------------------------------------
  function load() {
    try {
      var raw = window.sessionStorage.getItem(STORAGE_KEY);
      var data = raw ? JSON.parse(raw) : null;
      if (data && Array.isArray(data.messages)) {
        state.messages = data.messages.filter(function (m) {
          return m && typeof m.text === "string" && typeof m.from === "string";
        });
        state.open = data.open === true;
        state.user = typeof data.user === "string" ? data.user : null;
      }
    } catch (e) { /* storage unavailable (private mode): start empty */ }
  }

  function save() {
    try {
      state.messages = state.messages.slice(-MAX_STORED);
      window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(state));
    } catch (e) { /* ignore: the chat still works without history */ }
  }

  // --- DOM helpers --------------------------------------------------------------------
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function addStylesheet() {
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = new URL("widget.css", baseUrl).href;
    document.head.appendChild(link);
  }

  function build() {
    var root = el("div", "kc-root");

    var launcher = el("button", "kc-launcher", TEXTS.launcher);
    launcher.type = "button";
    launcher.setAttribute("aria-label", TEXTS.launcherLabel);
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-controls", "kc-panel");

    var panel = el("section", "kc-panel");
    panel.id = "kc-panel";
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-modal", "false");
    panel.setAttribute("aria-labelledby", "kc-title");
    panel.hidden = true;

    var header = el("div", "kc-header");
    var title = el("h2", "kc-title", TEXTS.title);
    title.id = "kc-title";
    var close = el("button", "kc-close");
    close.type = "button";
    close.setAttribute("aria-label", TEXTS.close);
    close.appendChild(el("span", null, "×")).setAttribute("aria-hidden", "true");
    header.appendChild(title);
    header.appendChild(close);

    var account = el("div", "kc-account");
    var who = el("p", "kc-who");
    who.hidden = true;
    var login = el("a", "kc-login", TEXTS.login);
    login.href = loginHref();
    login.setAttribute("aria-describedby", "kc-login-hint");
    var loginHint = el("span", "kc-sr", TEXTS.loginHint);
    loginHint.id = "kc-login-hint";
    var logout = el("button", "kc-logout", TEXTS.logout);
    logout.type = "button";
    logout.hidden = true;
    account.appendChild(who);
    account.appendChild(login);
    account.appendChild(loginHint);
    account.appendChild(logout);

    var log = el("div", "kc-log");
    log.setAttribute("role", "log");
    log.setAttribute("aria-live", "polite");
    log.setAttribute("aria-relevant", "additions");
    log.setAttribute("aria-label", TEXTS.logLabel);
    log.tabIndex = 0;

    var status = el("div", "kc-status");
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");

    var form = el("form", "kc-form");
    form.noValidate = true;
    var label = el("label", "kc-label", TEXTS.inputLabel);
    label.htmlFor = "kc-input";
    var hint = el("p", "kc-hint", TEXTS.inputHint);
    hint.id = "kc-hint";
    // Visible counter near the limit; the live region says it once when the limit is reached.
    var count = el("p", "kc-count");
    count.id = "kc-count";
    count.hidden = true;
    var limit = el("span", "kc-sr");
    limit.setAttribute("aria-live", "polite");
    var row = el("div", "kc-row");
    var input = el("textarea", "kc-input");
    input.id = "kc-input";
    input.rows = 2;
    input.maxLength = MAX_CHARS;
    input.setAttribute("aria-describedby", "kc-hint kc-count");
    input.setAttribute("autocomplete", "off");
    var send = el("button", "kc-send", TEXTS.send);
    send.type = "submit";
    row.appendChild(input);
    row.appendChild(send);
    form.appendChild(label);
    form.appendChild(row);
    form.appendChild(count);
    form.appendChild(limit);
    form.appendChild(hint);

    panel.appendChild(header);
    panel.appendChild(account);
    panel.appendChild(log);
    panel.appendChild(status);
    panel.appendChild(form);
    root.appendChild(launcher);
    root.appendChild(panel);
    document.body.appendChild(root);

    ui = { root: root, launcher: launcher, panel: panel, close: close, log: log,
           status: status, form: form, input: input, send: send,
           who: who, login: login, logout: logout, count: count, limit: limit };
  }

  // --- rendering ----------------------------------------------------------------------
  function prefixFor(from) {
    if (from === "user") { return TEXTS.you; }
    if (from === "notice") { return TEXTS.notice; }
    return TEXTS.bot;
  }

  // Text with tel: links for phone numbers and unbreakable codes, as DOM nodes (no HTML).
  function appendRich(parent, text) {
    var pieces = [];
    var m;
    CODE.lastIndex = 0;
    while ((m = CODE.exec(text)) !== null) { pieces.push({ at: m.index, end: m.index + m[0].length, code: m[0] }); }
    PHONE.lastIndex = 0;
    while ((m = PHONE.exec(text)) !== null) {
      var at = m.index + m[1].length;
      var end = at + m[2].length + 1 + m[3].length;
      var inCode = pieces.some(function (p) { return p.code && at < p.end && end > p.at; });
      if (!inCode) { pieces.push({ at: at, end: end, phone: m[2] + " " + m[3], tel: m[2] + m[3] }); }
    }
    pieces.sort(function (a, b) { return a.at - b.at; });
    var pos = 0;
    pieces.forEach(function (p) {
      if (p.at < pos) { return; }
      if (p.at > pos) { parent.appendChild(document.createTextNode(text.slice(pos, p.at))); }
      if (p.phone) {
        var link = el("a", "kc-tel", p.phone);
        link.href = "tel:+45" + p.tel;
        parent.appendChild(link);
      } else {
        parent.appendChild(el("span", "kc-code", p.code));
      }
      pos = p.end;
    });
    if (pos < text.length) { parent.appendChild(document.createTextNode(text.slice(pos))); }
  }

  function sourceLabels(message) {
    return (Array.isArray(message.sources) ? message.sources : []).filter(function (s) {
      return s && typeof s.label === "string";
    });
  }

  function renderText(message) {
    if (message.from !== "bot") { return el("p", "kc-text", message.text); }
    var box = el("div", "kc-text");
    var sources = sourceLabels(message);
    var labels = sources.map(function (s) { return s.label; });
    message.text.split(/\n{2,}/).forEach(function (part) {
      var kept = part.split("\n").filter(function (line) { return labels.indexOf(line.trim()) < 0; }).join("\n");
      if (!kept.trim()) { return; }
      var p = el("p", "kc-para");
      appendRich(p, kept);
      box.appendChild(p);
    });
    sources.forEach(function (s) {
      var line = el("p", "kc-source");
      if (typeof s.href === "string" && s.href) {
        var link = el("a", "kc-source-link", s.label);
        link.href = CROSS ? new URL(s.href, BOT_ORIGIN).href : s.href;  // /kilde/… is the gateway's
        link.target = "_blank";
        link.rel = "noopener";
        link.appendChild(el("span", "kc-sr", TEXTS.newWindow));
        line.appendChild(link);
      } else {
        line.textContent = s.label;
      }
      box.appendChild(line);
    });
    return box;
  }

  function renderMessage(message) {
    var item = el("div", "kc-msg kc-msg--" + (message.from === "user" ? "user" : message.from === "notice" ? "notice" : "bot"));
    item.appendChild(el("span", "kc-sr", prefixFor(message.from) + " "));
    var box = renderText(message);
    if (message.link && typeof message.link.href === "string" && typeof message.link.text === "string") {
      var link = el("a", "kc-notice-link", message.link.text);
      link.href = message.link.href;
      box.appendChild(document.createTextNode(" "));
      box.appendChild(link);
    }
    item.appendChild(box);
    var buttons = Array.isArray(message.buttons) ? message.buttons : [];
    if (buttons.length) {
      var group = el("div", "kc-choices");
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", TEXTS.choices);
      buttons.forEach(function (b) {
        if (!b || typeof b.title !== "string" || typeof b.payload !== "string") { return; }
        var button = el("button", "kc-choice", b.title);
        button.type = "button";
        button.disabled = message.used === true;
        button.addEventListener("click", function () { choose(message, group, b); });
        group.appendChild(button);
      });
      item.appendChild(group);
    }
    if (message.handover) { item.appendChild(handoverBox()); }
    if (message.from === "bot" && typeof message.id === "string") { item.appendChild(ratingGroup(message)); }
    ui.log.appendChild(item);
    return item;
  }

  // A new answer: show its start. A long one would otherwise scroll past its beginning.
  function reveal(item) {
    var log = ui.log;
    log.scrollTop = log.scrollHeight;
    if (!item || item.classList.contains("kc-msg--user")) { return; }
    var offset = item.getBoundingClientRect().top - log.getBoundingClientRect().top;
    if (offset < 0) { log.scrollTop += offset - 8; }
  }

  function handoverBox() {
    var box = el("p", "kc-handover", TEXTS.handover + " ");
    var link = el("a", "kc-phone", "tlf. " + TEXTS.phone);
    link.href = TEXTS.phoneHref;
    box.appendChild(link);
    return box;
  }

  function ratingGroup(message) {
    var group = el("div", "kc-rate");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", TEXTS.rateGroup);
    // Visible words, not emoji: every system has the font, and the name is what is seen.
    [["up", TEXTS.rateUp, "\u25B2 "], ["down", TEXTS.rateDown, "\u25BC "]].forEach(function (r) {
      var b = el("button", "kc-rate-btn kc-rate-" + r[0]);
      b.type = "button";
      b.setAttribute("aria-pressed", message.rating === r[0] ? "true" : "false");
      b.appendChild(el("span", "kc-rate-icon", r[2])).setAttribute("aria-hidden", "true");
      b.appendChild(document.createTextNode(r[1]));
      b.addEventListener("click", function () { rate(message, r[0], group); });
      group.appendChild(b);
    });
    var done = el("span", "kc-rated", message.rating ? TEXTS.rated : "");
    done.setAttribute("aria-live", "polite");
    group.appendChild(done);
    return group;
  }

  function rate(message, rating, group) {
    fetch(api(FEEDBACK_URL), {
      method: "POST",
      credentials: CREDENTIALS,
      headers: { "Content-Type": "application/json", "X-Requested-With": "koege-chat" },
      body: JSON.stringify({ id: message.id, rating: rating })
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; },
                                  function () { return { ok: false, body: null }; });
    }).then(function (result) {
      var done = group.querySelector(".kc-rated");
      if (result.ok) {
        message.rating = rating;
        save();
        Array.prototype.forEach.call(group.querySelectorAll("button"), function (b) {
          b.setAttribute("aria-pressed", b.classList.contains("kc-rate-" + rating) ? "true" : "false");
        });
        done.textContent = TEXTS.rated;
      } else {
        done.textContent = result.body && typeof result.body.error === "string" ? result.body.error : TEXTS.technicalError;
      }
    }, function () {
      group.querySelector(".kc-rated").textContent = TEXTS.technicalError;
    });
  }

  function renderAll() {
    while (ui.log.firstChild) { ui.log.removeChild(ui.log.firstChild); }
    state.messages.forEach(function (m) { renderMessage(m); });
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  function add(message) {
    state.messages.push(message);
    save();
    reveal(renderMessage(message));
    return message;
  }

  // Personal data off the screen and out of storage: all of it (logout) or the personal part.
  function forget(everything) {
    state.messages = everything ? [] : state.messages.filter(function (m) { return m.personal !== true; });
    state.user = null;
    state.expiredShown = false;
    save();
    renderAll();
  }

  // --- open / close -------------------------------------------------------------------
  function open(moveFocus) {
    state.open = true;
    ui.panel.hidden = false;
    ui.launcher.setAttribute("aria-expanded", "true");
    updateModal();
    if (!state.messages.length) { add({ from: "bot", text: TEXTS.intro }); }
    save();
    ui.log.scrollTop = ui.log.scrollHeight;
    if (moveFocus) { ui.input.focus(); }
  }

  function close() {
    state.open = false;
    ui.panel.hidden = true;
    ui.launcher.setAttribute("aria-expanded", "false");
    updateModal();
    save();
    ui.launcher.focus();
  }

  // --- talking to the gateway ---------------------------------------------------------
  function setBusy(value) {
    busy = value;
    ui.send.setAttribute("aria-disabled", value ? "true" : "false");
    ui.panel.classList.toggle("kc-busy", value);
    ui.status.textContent = value ? TEXTS.typing : "";
  }

  function showReply(status, body, question) {
    if (status === 200 && body && Array.isArray(body.messages)) {
      var answer = body.answer && typeof body.answer === "object" ? body.answer : null;
      var personal = answer ? answer.personal === true : state.user !== null;
      if (body.session_expired === true && state.messages.some(function (m) { return m.personal === true; })) {
        // The logged-in conversation had ended: its personal part goes; this question stays.
        if (question) { question.personal = false; }
        forget(false);
        add({ from: "notice", text: TEXTS.personalRemoved });
      }
      if (question && personal) { question.personal = true; save(); }
      var parts = [];
      var buttons = [];
      var handover = false;
      body.messages.forEach(function (m, i) {
        if (!m || typeof m.text !== "string") { return; }
        if (body.session_expired === true && i === 0) {
          if (state.expiredShown) { state.expiredShown = false; } else { add({ from: "notice", text: m.text }); }
          return;
        }
        if (m.text) { parts.push(m.text); }
        if (Array.isArray(m.buttons)) { buttons = buttons.concat(m.buttons); }
        handover = handover || m.handover === true;
      });
      if (!parts.length && !buttons.length) { return; }
      var id = answer && typeof answer.id === "string" ? answer.id : undefined;  // one rating per answer
      add({ from: "bot", text: parts.join("\n\n"), buttons: buttons, id: id, handover: handover,
            sources: answer && Array.isArray(answer.sources) ? answer.sources : [], personal: personal });
      return;
    }
    var text = body && typeof body.error === "string" ? body.error : TEXTS.technicalError;
    add({ from: "notice", text: text });
  }

  function post(message, shown) {
    if (busy) { return; }
    var question = shown ? add({ from: "user", text: shown, personal: state.user !== null }) : null;
    var payload = { message: message };
    if (shown && shown !== message) { payload.shown = shown; }
    setBusy(true);
    fetch(api(API_URL), {
      method: "POST",
      credentials: CREDENTIALS,
      headers: { "Content-Type": "application/json", "X-Requested-With": "koege-chat" },
      body: JSON.stringify(payload)
    }).then(function (response) {
      return response.json().then(function (body) {
        return { status: response.status, body: body };
      }, function () { return { status: response.status, body: null }; });
    }).then(function (result) {
      setBusy(false);
      showReply(result.status, result.body, question);
    }, function () {
      setBusy(false);
      add({ from: "notice", text: TEXTS.technicalError });
    });
  }

  function submitInput() {
    if (busy) { return; }
    var text = ui.input.value;
    ui.input.value = "";
    updateCount();
    post(text, text.trim() ? text.trim() : "");
    ui.input.focus();
  }

  function choose(message, group, button) {
    if (busy) { return; }
    message.used = true;
    save();
    Array.prototype.forEach.call(group.querySelectorAll("button"), function (b) { b.disabled = true; });
    post(button.payload, button.title);
    ui.input.focus();
  }

  function danishNumber(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "."); }

  function updateCount() {
    var n = ui.input.value.length;
    var max = danishNumber(MAX_CHARS);
    var atLimit = n >= MAX_CHARS;
    ui.count.hidden = n < COUNT_FROM;
    ui.count.classList.toggle("kc-count--limit", atLimit);
    ui.count.textContent = atLimit ? TEXTS.limit.replace("{max}", max)
      : TEXTS.count.replace("{n}", danishNumber(n)).replace("{max}", max);
    var said = atLimit ? TEXTS.limit.replace("{max}", max) : "";
    if (ui.limit.textContent !== said) { ui.limit.textContent = said; }
  }

  // --- the full-screen panel on small screens: a modal dialog --------------------------
  function isModal() {
    return state.open && !!window.matchMedia && window.matchMedia(SMALL_SCREEN).matches;
  }

  function updateModal() {
    ui.panel.setAttribute("aria-modal", isModal() ? "true" : "false");
  }

  function focusables() {
    return Array.prototype.filter.call(
      ui.panel.querySelectorAll("a[href], button:not([disabled]), textarea, input, select, [tabindex]:not([tabindex='-1'])"),
      function (node) { return node.getClientRects().length > 0 && !node.closest("[hidden]"); }
    );
  }

  function trapTab(event) {
    if (event.key !== "Tab" || !isModal()) { return; }
    var nodes = focusables();
    if (!nodes.length) { return; }
    var first = nodes[0];
    var last = nodes[nodes.length - 1];
    var inside = ui.panel.contains(document.activeElement);
    if (event.shiftKey && (document.activeElement === first || !inside)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (document.activeElement === last || !inside)) {
      event.preventDefault();
      first.focus();
    }
  }

  // --- login state and session expiry -----------------------------------------------
  function showAccount(info) {
    var verified = info && info.verified === true && typeof info.name === "string";
    ui.who.hidden = !verified;
    ui.who.textContent = verified ? TEXTS.loggedInAs + info.name : "";
    ui.login.hidden = verified;
    ui.logout.hidden = !verified;
  }

  // afterLogin: the gateway has just sent the citizen back here from the login page.
  function checkSession(afterLogin) {
    fetch(api(SESSION_URL), { credentials: CREDENTIALS, headers: { "X-Requested-With": "koege-chat" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (info) {
        if (!info) { return; }
        showAccount(info);
        var name = info.verified === true && typeof info.name === "string" ? info.name : null;
        var hadPersonal = state.messages.some(function (m) { return m.personal === true; });
        if (name && state.user !== name) {
          if (hadPersonal) { forget(false); }  // someone else's personal answers go first
          state.user = name;
          add({ from: "notice", text: TEXTS.loggedIn.replace("{name}", name), personal: true });
        } else if (!name && afterLogin === true && CROSS) {
          // Logged in on the gateway's page, but this browser does not send us the cookie here.
          if (state.user || hadPersonal) { forget(false); }
          add({ from: "notice", text: TEXTS.loginBlocked,
                link: { href: BOT_ORIGIN + "/", text: TEXTS.loginBlockedLink } });
        } else if (!info.active && (!CROSS || info.had_cookie !== false) &&
                   state.messages.some(function (m) { return m.from === "user"; })) {
          // (Embedded, a browser that sends no cookie at all had no conversation to lose.)
          // The server ended our conversation (idle or absolute expiry): say so now, and take
          // what was personal in it off the screen.
          if (hadPersonal) { forget(false); add({ from: "notice", text: TEXTS.personalRemoved }); }
          var last = state.messages[state.messages.length - 1];
          if (!(last && last.text === TEXTS.sessionExpired)) {
            add({ from: "notice", text: TEXTS.sessionExpired });
            state.expiredShown = true;
          }
          state.user = null;
          save();
        } else if (!name && (state.user || hadPersonal)) {
          forget(false);
        }
      }, function () { /* offline: try again later */ });
  }

  // Log this (partitioned) session in with the code and nonce; then show the result.
  function handOver(code) {
    var nonce = storedNonce() || "";
    forgetNonce();  // one login, one nonce
    fetch(api(HANDOVER_URL), {
      method: "POST",
      credentials: CREDENTIALS,
      headers: { "Content-Type": "application/json", "X-Requested-With": "koege-chat" },
      body: JSON.stringify({ code: code, nonce: nonce })
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; },
                                  function () { return { ok: false, body: null }; });
    }).then(function (result) {
      prepareNonce();
      if (result.ok) { checkSession(true); return; }
      add({ from: "notice", text: result.body && typeof result.body.error === "string" ? result.body.error
                                                                                       : TEXTS.technicalError });
      checkSession();
    }, function () {
      prepareNonce();
      add({ from: "notice", text: TEXTS.technicalError });
      checkSession();
    });
  }

  function doLogout() {
    fetch(api(LOGOUT_URL), {
      method: "POST",
      credentials: CREDENTIALS,
      headers: { "Content-Type": "application/json", "X-Requested-With": "koege-chat" },
      body: "{}"
    }).then(function (response) {
      loggedOut(response.ok ? TEXTS.loggedOut : TEXTS.logoutFailed);
    }, function () { loggedOut(TEXTS.logoutFailed); });
  }

  // A deliberate logout starts afresh: the server has ended the conversation, and the next
  // person at this screen must see nothing of it (see the header comment and bot/README.md).
  function loggedOut(text) {
    forget(true);
    add({ from: "bot", text: TEXTS.intro });
    add({ from: "notice", text: text });
    showAccount(null);
    ui.login.focus();
  }

  // --- wiring -------------------------------------------------------------------------
  function wire() {
    ui.launcher.addEventListener("click", function () {
      if (state.open) { close(); } else { open(true); }
    });
    ui.close.addEventListener("click", close);
    ui.logout.addEventListener("click", doLogout);
    ui.login.addEventListener("click", function () { ui.login.href = loginHref(); });  // the page may have moved
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") { checkSession(); }
    });
    window.setInterval(function () { if (state.open) { checkSession(); } }, CHECK_EVERY_MS);
    ui.panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { event.preventDefault(); close(); }
    });
    document.addEventListener("keydown", trapTab, true);
    if (window.matchMedia) {
      var query = window.matchMedia(SMALL_SCREEN);
      if (query.addEventListener) { query.addEventListener("change", updateModal); }
    }
    ui.input.addEventListener("input", updateCount);
    ui.form.addEventListener("submit", function (event) {
      event.preventDefault();
      submitInput();
    });
    ui.input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        submitInput();
      }
    });
  }

  function start() {
    addStylesheet();
    build();
    load();
    renderAll();
    wire();
    var code = CROSS ? takeHandoverCode() : null;
    var afterLogin = code !== null || (!CROSS && /[?&]login=1\b/.test(window.location.search));
    if (afterLogin) {
      state.open = true;
      if (!CROSS) {
        try { window.history.replaceState(null, "", pageAddress(true)); } catch (e) { /* old browser */ }
      }
    }
    if (state.open) { open(afterLogin); }
    if (code !== null) {
      handOver(code);
    } else {
      prepareNonce();
      checkSession(afterLogin);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
