/*
 * Køge Kommune – Opkrævningen: chat widget.
 *
 * Embedded with one tag: <script src="/static/widget.js" defer></script>
 * Vanilla JavaScript, no framework, no third-party origin. It talks only to the gateway
 * (POST /api/chat, same origin, session cookie); every text is inserted with textContent.
 * The rendered conversation is kept in sessionStorage so a reload shows the history.
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
    technicalError: "Beklager, jeg kan ikke svare lige nu på grund af en teknisk fejl. Prøv igen om lidt, eller ring til Opkrævningen på tlf. 5667 2450."
  };

  var API_URL = "/api/chat";
  var STORAGE_KEY = "koege-chat-v1";
  var MAX_STORED = 200;
  var MAX_CHARS = 1000;

  var script = document.currentScript;
  var baseUrl = script && script.src ? script.src : window.location.href;

  var state = { open: false, messages: [] };
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
    var row = el("div", "kc-row");
    var input = el("textarea", "kc-input");
    input.id = "kc-input";
    input.rows = 2;
    input.maxLength = MAX_CHARS;
    input.setAttribute("aria-describedby", "kc-hint");
    input.setAttribute("autocomplete", "off");
    var send = el("button", "kc-send", TEXTS.send);
    send.type = "submit";
    row.appendChild(input);
    row.appendChild(send);
    form.appendChild(label);
    form.appendChild(row);
    form.appendChild(hint);

    panel.appendChild(header);
    panel.appendChild(log);
    panel.appendChild(status);
    panel.appendChild(form);
    root.appendChild(launcher);
    root.appendChild(panel);
    document.body.appendChild(root);

    ui = { root: root, launcher: launcher, panel: panel, close: close, log: log,
           status: status, form: form, input: input, send: send };
  }

  // --- rendering ----------------------------------------------------------------------
  function prefixFor(from) {
    if (from === "user") { return TEXTS.you; }
    if (from === "notice") { return TEXTS.notice; }
    return TEXTS.bot;
  }

  function renderMessage(message) {
    var item = el("div", "kc-msg kc-msg--" + (message.from === "user" ? "user" : message.from === "notice" ? "notice" : "bot"));
    item.appendChild(el("span", "kc-sr", prefixFor(message.from) + " "));
    item.appendChild(el("p", "kc-text", message.text));
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
    ui.log.appendChild(item);
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  function renderAll() {
    while (ui.log.firstChild) { ui.log.removeChild(ui.log.firstChild); }
    state.messages.forEach(function (m) { renderMessage(m); });
  }

  function add(message) {
    state.messages.push(message);
    save();
    renderMessage(message);
  }

  // --- open / close -------------------------------------------------------------------
  function open(moveFocus) {
    state.open = true;
    ui.panel.hidden = false;
    ui.launcher.setAttribute("aria-expanded", "true");
    if (!state.messages.length) { add({ from: "bot", text: TEXTS.intro }); }
    save();
    ui.log.scrollTop = ui.log.scrollHeight;
    if (moveFocus) { ui.input.focus(); }
  }

  function close() {
    state.open = false;
    ui.panel.hidden = true;
    ui.launcher.setAttribute("aria-expanded", "false");
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

  function showReply(status, body) {
    if (status === 200 && body && Array.isArray(body.messages)) {
      body.messages.forEach(function (m, i) {
        if (!m || typeof m.text !== "string") { return; }
        var notice = body.session_expired === true && i === 0;
        add({ from: notice ? "notice" : "bot", text: m.text,
              buttons: Array.isArray(m.buttons) ? m.buttons : [] });
      });
      return;
    }
    var text = body && typeof body.error === "string" ? body.error : TEXTS.technicalError;
    add({ from: "notice", text: text });
  }

  function post(message, shown) {
    if (busy) { return; }
    if (shown) { add({ from: "user", text: shown }); }
    setBusy(true);
    fetch(API_URL, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-Requested-With": "koege-chat" },
      body: JSON.stringify({ message: message })
    }).then(function (response) {
      return response.json().then(function (body) {
        return { status: response.status, body: body };
      }, function () { return { status: response.status, body: null }; });
    }).then(function (result) {
      setBusy(false);
      showReply(result.status, result.body);
    }, function () {
      setBusy(false);
      add({ from: "notice", text: TEXTS.technicalError });
    });
  }

  function submitInput() {
    if (busy) { return; }
    var text = ui.input.value;
    ui.input.value = "";
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

  // --- wiring -------------------------------------------------------------------------
  function wire() {
    ui.launcher.addEventListener("click", function () {
      if (state.open) { close(); } else { open(true); }
    });
    ui.close.addEventListener("click", close);
    ui.panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { event.preventDefault(); close(); }
    });
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
    if (state.open) { open(false); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
