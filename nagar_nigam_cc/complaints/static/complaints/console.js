/* The agent console (complaints/console.py): caller lookup, type-to-pick lists for the complaint type
 * and the ward, likely duplicates with "attach caller", save without leaving the page, and the docket
 * number shown large. Plain JavaScript, no build step. Without it the page is an ordinary form.
 *
 * Keyboard: Tab moves between fields; Enter in a one-line field moves on (it never saves by
 * accident); in a list ↑/↓ move, Enter takes the highlighted suggestion (the first by default), Esc
 * closes it; Alt+S saves, Alt+N starts a new call. Shortcuts read KeyboardEvent.code, so they work
 * with a Hindi (InScript) keyboard layout too.
 */
(function () {
  "use strict";

  var root = document.getElementById("console");
  if (!root) return;
  var form = document.getElementById("console-form");
  var S = JSON.parse(document.getElementById("console-strings").textContent);
  var urls = {
    caller: root.dataset.callerUrl,
    duplicates: root.dataset.duplicatesUrl,
    register: root.dataset.registerUrl,
    attach: root.dataset.attachUrl,
    queue: root.dataset.queueUrl,
    callback: root.dataset.callbackUrl, // …/callbacks/0/: the 0 is replaced by the request's id
    live: root.dataset.liveCallsUrl,
  };
  var $ = function (id) { return document.getElementById(id); };
  var field = function (name) { return form.elements[name]; };
  var state = { saving: false, done: false, callerMobile: "", smsTimer: null, dupSeq: 0, callerSeq: 0, callback: null };

  // --- small helpers -----------------------------------------------------------------------------------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "className") node.className = attrs[key];
      else if (key.slice(0, 2) === "on") node.addEventListener(key.slice(2), attrs[key]);
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) {
      if (child != null) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  function getJSON(url, params) {
    var query = new URLSearchParams(params || {}).toString();
    return fetch(url + (query ? "?" + query : ""), {
      credentials: "same-origin", headers: { "Accept": "application/json", "X-Requested-With": "fetch" },
    }).then(function (response) {
      return response.json().then(function (body) { body._status = response.status; return body; });
    });
  }

  function postForm(url, data) {
    return fetch(url, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-Requested-With": "fetch" },
    }).then(function (response) {
      return response.json().then(function (body) { body._status = response.status; return body; });
    });
  }

  function csrf() { return field("csrfmiddlewaretoken").value; }

  function digits(text) { return (text || "").replace(/\D/g, ""); }

  // --- errors next to the fields -----------------------------------------------------------------------
  function clearErrors() {
    form.querySelectorAll(".console-errors").forEach(function (ul) { ul.innerHTML = ""; });
    form.querySelectorAll(".console-field.errors").forEach(function (box) { box.classList.remove("errors"); });
    $("errors-__all__").innerHTML = "";
  }

  function showErrors(errors) {
    var first = null;
    Object.keys(errors || {}).forEach(function (name) {
      var list = $("errors-" + name);
      if (!list || name === "__all__") {
        errors[name].forEach(function (message) {
          $("errors-__all__").appendChild(el("div", { className: "errornote", text: message }));
        });
        return;
      }
      errors[name].forEach(function (message) { list.appendChild(el("li", { text: message })); });
      var box = form.querySelector('.console-field[data-field="' + name + '"]');
      if (box) box.classList.add("errors");
      first = first || name;
    });
    if (first) {
      var target = pickers[first] ? pickers[first].input : field(first);
      if (target && target.focus) target.focus();
    }
  }

  function setFieldError(name, message) {
    var list = $("errors-" + name);
    if (!list) return;
    list.innerHTML = "";
    if (message) list.appendChild(el("li", { text: message }));
    var box = form.querySelector('.console-field[data-field="' + name + '"]');
    if (box) box.classList.toggle("errors", !!message);
  }

  // --- Enter moves on; the order of the fields --------------------------------------------------------
  function order() {
    return [field("mobile"), field("name"), field("language"), pickers.category.input, pickers.ward.input,
            field("address"), field("landmark"), field("description"), field("channel"), $("save")];
  }

  function focusAfter(node) {
    var list = order();
    var index = list.indexOf(node);
    var next = list[index + 1];
    if (next) next.focus();
  }

  ["name", "address", "landmark"].forEach(function (name) {
    field(name).addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.altKey) {
        event.preventDefault();
        focusAfter(field(name));
      }
    });
  });

  // --- the caller ---------------------------------------------------------------------------------------
  var mobile = field("mobile");
  var callerCard = $("caller-card");

  function renderComplaintLine(c) {
    return el("li", { className: c.open ? "is-open" : "is-closed" }, [
      el("a", { href: c.url, target: "_blank", rel: "noopener" }, [el("strong", { className: "console-nowrap", text: c.spoken })]),
      " ", el("span", { className: "console-chip", text: c.status_label }),
      c.due_text ? el("span", { className: "console-due console-due-" + c.due_key, text: " " + c.due_text }) : null,
      el("div", { text: c.category + " · " + c.ward }),
      el("div", { className: "nnc-muted console-small", text: [c.registered_text, c.landmark || c.address].filter(Boolean).join(" · ") }),
    ]);
  }

  function renderCaller(body) {
    callerCard.innerHTML = "";
    if (state.callback) callerCard.appendChild(el("p", { className: "console-chip", text: S.calling_back }));
    if (!body.found) {
      callerCard.appendChild(el("p", { className: "nnc-muted", text: S.new_caller }));
      return;
    }
    var open = body.complaints.filter(function (c) { return c.open; });
    var closed = body.complaints.filter(function (c) { return !c.open; });
    callerCard.appendChild(el("p", {}, [
      el("strong", { text: S.known_caller + ": " + (body.name || "—") }),
      body.language_label ? el("span", { className: "nnc-muted", text: " · " + body.language_label }) : null,
    ]));
    if (open.length) {
      callerCard.appendChild(el("div", { className: "console-h3", text: S.open_complaints + " (" + open.length + ")" }));
      callerCard.appendChild(el("ol", { className: "console-list", id: "caller-open" }, open.map(renderComplaintLine)));
    }
    if (body.following.length) {
      callerCard.appendChild(el("div", { className: "console-h3", text: S.attached_to }));
      callerCard.appendChild(el("ol", { className: "console-list" }, body.following.map(renderComplaintLine)));
    }
    if (closed.length) {
      callerCard.appendChild(el("details", {}, [
        el("summary", { text: S.earlier_complaints + " (" + closed.length + ")" }),
        el("ol", { className: "console-list" }, closed.map(renderComplaintLine)),
      ]));
    }
  }

  function lookUpCaller(force) {
    var typed = mobile.value.trim();
    if (digits(typed).length < 10) {
      if (force && typed) setFieldError("mobile", "");
      return Promise.resolve(null);
    }
    if (!force && typed === state.callerMobile) return Promise.resolve(null);
    state.callerMobile = typed;
    var seq = ++state.callerSeq;
    return getJSON(urls.caller, { mobile: typed }).then(function (body) {
      if (seq !== state.callerSeq) return null;
      if (!body.ok) {
        callerCard.innerHTML = "";
        setFieldError("mobile", (body.errors && body.errors.mobile || [body.error])[0]);
        return body;
      }
      setFieldError("mobile", "");
      if (body.found) {
        if (!field("name").value.trim() && body.name) field("name").value = body.name;
        if (body.language) field("language").value = body.language;
      }
      renderCaller(body);
      checkDuplicates();
      return body;
    }).catch(function () { return null; });
  }

  mobile.addEventListener("input", debounce(function () { lookUpCaller(false); }, 200));
  mobile.addEventListener("change", function () { lookUpCaller(false); });
  mobile.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.altKey) {
      event.preventDefault();
      lookUpCaller(true);
      focusAfter(mobile);
    }
  });

  // --- type-to-pick lists (category, ward) --------------------------------------------------------------
  var pickers = {};

  function Picker(box) {
    var self = this;
    this.name = box.dataset.picker;
    this.box = box;
    this.url = box.dataset.searchUrl;
    this.input = $(this.name + "-search");
    this.list = $(this.name + "-options");
    this.note = $(this.name + "-note");
    this.select = field(this.name);
    this.results = [];
    this.active = -1;
    this.seq = 0;
    this.input.hidden = false;
    this.select.tabIndex = -1; // the search box is the field; the list shows (and can change) the choice
    this.select.classList.add("console-picked-select");
    if (this.select.value) this.input.value = this.select.options[this.select.selectedIndex].text;

    this.pendingEnter = false; // Enter pressed before the suggestions for what was typed arrived
    this.shownQuery = null;
    var search = debounce(function () { self.search(); }, 120);
    this.input.addEventListener("input", function () {
      if (self.select.value) { self.select.value = ""; self.note.textContent = ""; onChoice(); }
      self.pendingEnter = false;
      search();
    });
    this.input.addEventListener("keydown", function (event) { self.key(event); });
    this.input.addEventListener("blur", function () { setTimeout(function () { self.close(); }, 150); });
    this.input.addEventListener("focus", function () { if (self.input.value && !self.select.value) self.search(); });
    this.select.addEventListener("change", function () {
      var option = self.select.options[self.select.selectedIndex];
      self.input.value = self.select.value ? option.text : "";
      self.note.textContent = "";
      setFieldError(self.name, "");
      onChoice();
    });
  }

  Picker.prototype.search = function () {
    var self = this;
    var query = this.input.value.trim();
    if (!query) { this.close(); return; }
    var seq = ++this.seq;
    getJSON(this.url, { q: query }).then(function (body) {
      if (seq !== self.seq) return;
      self.shownQuery = query;
      self.show(body.results || []);
      if (self.pendingEnter) {
        self.pendingEnter = false;
        if (self.results.length) self.choose(0, true);
        else { self.input.focus(); setFieldError(self.name, S.no_matches); }
      }
    });
  };

  Picker.prototype.show = function (results) {
    var self = this;
    this.results = results;
    this.active = results.length ? 0 : -1;
    this.list.innerHTML = "";
    if (!results.length) {
      this.list.appendChild(el("li", { className: "console-option-empty", text: S.no_matches }));
    }
    results.forEach(function (item, index) {
      var label = item.label || item.name;
      var detail = [item.other_name, item.department || item.zone].filter(Boolean).join(" · ");
      var li = el("li", {
        id: self.name + "-option-" + index, role: "option", className: "console-option",
        "data-id": item.id, "aria-selected": index === 0 ? "true" : "false",
        onmousedown: function (event) { event.preventDefault(); self.choose(index); },
      }, [
        el("strong", { text: label }),
        detail ? el("span", { className: "nnc-muted", text: " · " + detail }) : null,
        item.locality ? el("div", { className: "console-small", text: "↳ " + S.locality_matched + ": " + item.locality }) : null,
        !item.locality && item.matched && item.matched !== item.name && item.matched !== item.other_name
          ? el("div", { className: "console-small nnc-muted", text: "↳ " + item.matched }) : null,
      ]);
      self.list.appendChild(li);
    });
    this.list.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
    this.highlight();
  };

  Picker.prototype.highlight = function () {
    var self = this;
    Array.prototype.forEach.call(this.list.querySelectorAll(".console-option"), function (li, index) {
      li.setAttribute("aria-selected", index === self.active ? "true" : "false");
      li.classList.toggle("is-active", index === self.active);
    });
    if (this.active >= 0) this.input.setAttribute("aria-activedescendant", this.name + "-option-" + this.active);
    else this.input.removeAttribute("aria-activedescendant");
  };

  Picker.prototype.close = function () {
    this.list.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  };

  Picker.prototype.choose = function (index, stayPut) {
    var item = this.results[index];
    if (!item) return;
    var value = String(item.id);
    if (!Array.prototype.some.call(this.select.options, function (o) { return o.value === value; })) {
      this.select.appendChild(el("option", { value: value, text: item.label || item.name }));
    }
    this.select.value = value;
    this.input.value = item.label || item.name;
    this.note.textContent = item.locality ? S.locality_matched + ": " + item.locality : "";
    this.chosenLocality = item.locality || "";
    if (this.name === "ward" && item.locality && !field("landmark").value.trim()) {
      field("landmark").value = item.locality; // the place the caller named; the agent may refine it
    }
    setFieldError(this.name, "");
    this.close();
    onChoice();
    if (!stayPut) focusAfter(this.input);
  };

  Picker.prototype.key = function (event) {
    var open = !this.list.hidden && this.results.length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!open) { this.search(); return; }
      var step = event.key === "ArrowDown" ? 1 : -1;
      this.active = (this.active + step + this.results.length) % this.results.length;
      this.highlight();
    } else if (event.key === "Enter" && !event.altKey) {
      event.preventDefault();
      var typed = this.input.value.trim();
      if (this.select.value) focusAfter(this.input);
      else if (open && this.shownQuery === typed) this.choose(Math.max(0, this.active));
      else if (typed) {
        // Typed faster than the suggestions came: move on now (the agent keeps typing in the next
        // field) and take the first suggestion when it arrives.
        this.pendingEnter = true;
        this.search();
        focusAfter(this.input);
      }
    } else if (event.key === "Escape") {
      if (!this.list.hidden) { event.preventDefault(); this.close(); }
    }
  };

  Picker.prototype.reset = function () {
    this.pendingEnter = false;
    this.shownQuery = null;
    this.select.value = "";
    this.input.value = "";
    this.note.textContent = "";
    this.chosenLocality = "";
    this.results = [];
    this.close();
  };

  form.querySelectorAll("[data-picker]").forEach(function (box) { pickers[box.dataset.picker] = new Picker(box); });

  // --- likely duplicates ----------------------------------------------------------------------------------
  var dupSection = $("duplicates");
  var dupList = $("duplicates-list");

  function onChoice() { checkDuplicates(); }

  function checkDuplicates() {
    var category = field("category").value, ward = field("ward").value;
    if (!category || !ward) { dupSection.hidden = true; dupList.innerHTML = ""; return; }
    var seq = ++state.dupSeq;
    getJSON(urls.duplicates, {
      category: category, ward: ward, mobile: mobile.value.trim(),
      locality: pickers.ward.chosenLocality || field("landmark").value.trim(),
    }).then(function (body) {
      if (seq !== state.dupSeq || !body.ok) return;
      renderDuplicates(body.results);
    });
  }

  function renderDuplicates(results) {
    dupList.innerHTML = "";
    $("duplicates-title").textContent = S.duplicates_title;
    if (!results.length) {
      dupList.appendChild(el("li", { className: "nnc-muted", text: S.no_duplicates }));
    }
    results.forEach(function (c) {
      var facts = [c.address, c.landmark].filter(Boolean).join(" · ");
      dupList.appendChild(el("li", { className: "console-duplicate", "data-complaint": c.id }, [
        el("div", {}, [
          el("strong", { className: "console-nowrap", text: c.spoken }), " ",
          el("span", { className: "console-chip", text: c.status_label }), " ",
          el("span", { className: "nnc-muted", text: c.age }),
          c.other_callers ? el("span", { className: "nnc-muted", text: " · +" + c.other_callers + " " + S.other_callers }) : null,
        ]),
        facts ? el("div", { text: facts }) : null,
        c.due_text ? el("div", { className: "console-small console-due-" + c.due_key, text: S.due + ": " + c.due_text }) : null,
        c.own
          ? el("div", { className: "console-small", text: S.own_complaint })
          : el("button", {
              type: "button", className: "nnc-button secondary console-attach", "data-complaint": c.id,
              onclick: function () { attach(c.id); },
            }, [S.attach]),
      ]));
    });
    dupSection.hidden = false;
  }

  function attach(complaintId) {
    if (state.saving || state.done) return;
    clearErrors();
    var data = new FormData();
    data.append("csrfmiddlewaretoken", csrf());
    data.append("complaint", complaintId);
    data.append("mobile", mobile.value);
    data.append("name", field("name").value);
    data.append("language", field("language").value);
    state.saving = true;
    postForm(urls.attach, data).then(function (body) {
      state.saving = false;
      if (!body.ok) {
        showErrors(body.errors || { __all__: [body.error] });
        return;
      }
      showResult(body.complaint, body.created ? S.attached : S.already_attached, body.sms, body.sms_url, S.sms_follower);
      callbackDone();
    }).catch(function () {
      state.saving = false;
      showErrors({ __all__: [S.network_error] });
    });
  }

  // --- saving ------------------------------------------------------------------------------------------------
  function save() {
    if (state.saving || state.done) return;
    clearErrors();
    var missing = {};
    if (!field("category").value && pickers.category.input.value.trim()) missing.category = [S.choose_category];
    if (!field("ward").value && pickers.ward.input.value.trim()) missing.ward = [S.choose_ward];
    if (Object.keys(missing).length) { showErrors(missing); return; }
    var data = new FormData(form);
    state.saving = true;
    $("save").disabled = true;
    postForm(urls.register, data).then(function (body) {
      state.saving = false;
      $("save").disabled = false;
      if (body.ok) {
        showResult(body.complaint, S.registered, body.sms, body.sms_url, S.sms);
        callbackDone();
        return;
      }
      if (body.duplicate) {
        $("allow-duplicate").classList.remove("console-hidden");
        renderDuplicates([body.duplicate]);
      }
      $("errors-__all__").appendChild(el("div", { className: "errornote", text: S.fix_errors }));
      showErrors(body.errors || {});
    }).catch(function () {
      state.saving = false;
      $("save").disabled = false;
      showErrors({ __all__: [S.network_error] });
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    save();
  });

  // --- the docket number, large -------------------------------------------------------------------------------
  var result = $("result");

  function readBack(spoken) {
    return spoken.split("-").map(function (group) { return group.split("").join(" "); }).join("  –  ");
  }

  function showResult(c, title, sms, smsUrl, smsLabel) {
    state.done = true;
    $("result-title").textContent = title;
    var docket = $("result-docket");
    docket.textContent = c.spoken;
    docket.dataset.docket = c.docket;
    $("result-readback").textContent = readBack(c.spoken);
    $("result-facts").textContent = [c.category, c.ward, c.assigned_to].filter(Boolean).join(" · ");
    $("result-open").href = c.url;
    renderSms(sms, smsLabel);
    result.hidden = false;
    result.classList.add("is-shown");
    form.classList.add("is-done");
    form.querySelectorAll("fieldset").forEach(function (fs) { fs.disabled = true; });
    dupSection.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    window.scrollTo({ top: 0 });
    docket.focus();
    pollSms(smsUrl, smsLabel, 0);
  }

  function renderSms(sms, label) {
    var box = $("result-sms");
    box.innerHTML = "";
    if (!sms) return;
    box.appendChild(document.createTextNode(label + ": "));
    box.appendChild(el("strong", { "data-sms-state": sms.state, text: sms.label }));
  }

  function pollSms(url, label, round) {
    clearTimeout(state.smsTimer);
    if (!url || round >= 10) return;
    state.smsTimer = setTimeout(function () {
      getJSON(url).then(function (body) {
        if (!state.done || !body.ok) return;
        renderSms(body.sms, label);
        if (["queued", "sending", ""].indexOf(body.sms.state) >= 0) pollSms(url, label, round + 1);
      });
    }, 2000);
  }

  $("copy-docket").addEventListener("click", function () {
    var docket = $("result-docket").textContent.trim();
    var done = function () {
      var button = $("copy-docket");
      var before = button.textContent;
      button.textContent = S.copied;
      setTimeout(function () { button.textContent = before; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(docket).then(done, function () {});
    } else {
      var range = document.createRange();
      range.selectNodeContents($("result-docket"));
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      try { document.execCommand("copy"); done(); } catch (e) { /* the number stays selected */ }
    }
  });

  // --- a new call ----------------------------------------------------------------------------------------------
  function newCall(keepCaller) {
    clearTimeout(state.smsTimer);
    if (!keepCaller) state.callback = null;
    state.done = false;
    state.saving = false;
    form.classList.remove("is-done");
    form.querySelectorAll("fieldset").forEach(function (fs) { fs.disabled = false; });
    var keep = { mobile: mobile.value, name: field("name").value, language: field("language").value };
    form.reset();
    ["address", "landmark", "description"].forEach(function (name) { field(name).value = ""; });
    if (keepCaller) {
      mobile.value = keep.mobile; field("name").value = keep.name; field("language").value = keep.language;
    } else {
      mobile.value = ""; field("name").value = "";
      callerCard.innerHTML = "";
      state.callerMobile = "";
    }
    field("allow_duplicate").checked = false;
    $("allow-duplicate").classList.add("console-hidden");
    var own = $("own-duplicate");
    if (own) own.remove();
    pickers.category.reset();
    pickers.ward.reset();
    dupSection.hidden = true;
    dupList.innerHTML = "";
    clearErrors();
    result.hidden = true;
    result.classList.remove("is-shown");
    if (history.replaceState && location.search) history.replaceState(null, "", location.pathname);
    (keepCaller ? pickers.category.input : mobile).focus();
    refreshQueue();
  }

  function refreshQueue() {
    getJSON(urls.queue).then(function (body) {
      if (body.ok) $("after-hours").innerHTML = body.html;
    }).catch(function () {});
  }

  // --- taking a call: the phone system's screen-pop, or the call-back queue ----------------------------------
  function dirty() {
    if (state.done) return false;
    return ["mobile", "description", "address", "category", "ward"].some(function (name) {
      return field(name).value.trim() !== "";
    });
  }

  function takeCall(number, callbackId) {
    if (dirty() && !window.confirm(S.unsaved)) return;
    newCall(false);
    state.callback = callbackId || null;
    mobile.value = number;
    startWithCaller();
  }

  function startWithCaller() {
    // Focus moves at once, so the agent can type while the lookup runs; a known caller's name is filled
    // in, and then (if the agent has not started typing it) the focus goes on to the complaint type.
    var name = field("name");
    name.focus();
    lookUpCaller(true).then(function (body) {
      if (body && body.found && body.name && document.activeElement === name && name.value === body.name) {
        pickers.category.input.focus();
      }
    });
  }

  function markCallback(id, callbackState, note) {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", csrf());
    data.append("state", callbackState);
    data.append("note", note || "");
    return postForm(urls.callback.replace(/\/0\/$/, "/" + id + "/"), data).then(function (body) {
      if (body.ok) $("after-hours").innerHTML = body.html;
      else if (body.errors) window.alert(body.errors.__all__.join("\n"));
      return body;
    }).catch(function () {});
  }

  function callbackDone() {
    // The agent rang the caller back and took their complaint: the request is done.
    if (state.callback) markCallback(state.callback, "called", "");
    state.callback = null;
  }

  $("after-hours").addEventListener("click", function (event) {
    var button = event.target.closest("[data-callback-action]");
    if (!button) return;
    var item = button.closest("[data-callback]");
    var id = item.dataset.callback, action = button.dataset.callbackAction;
    if (action === "take") { takeCall(item.dataset.mobile, id); return; }
    var note = "";
    if (action === "done") {
      note = window.prompt(S.close_reason, "");
      if (note === null || !note.trim()) return;
    }
    if (String(state.callback) === String(id)) state.callback = null;
    markCallback(id, action, note);
  });

  function pollLiveCalls() {
    if (!urls.live) return;
    var again = function () { setTimeout(pollLiveCalls, 3000); };
    if (document.visibilityState !== "visible") { again(); return; }
    getJSON(urls.live).then(function (body) {
      var box = $("live-calls"), list = $("live-calls-list");
      var calls = (body.calls || []).filter(function (c) { return c.mobile; });
      list.innerHTML = "";
      calls.forEach(function (c) {
        list.appendChild(el("li", { "data-call": c.call_sid }, [
          el("strong", { className: "console-nowrap", text: c.number }),
          c.name ? el("span", { text: " · " + c.name }) : null,
          el("div", { className: "nnc-muted console-small", text: c.state_label + " · " + c.seconds_ago + " s" }),
          el("button", { type: "button", className: "nnc-button", onclick: function () { takeCall(c.mobile, null); } },
             [S.take_call]),
        ]));
      });
      box.hidden = !calls.length;
      again();
    }).catch(again);
  }

  $("new-call").addEventListener("click", function () { newCall(false); });
  $("same-caller").addEventListener("click", function () { newCall(true); });

  document.addEventListener("keydown", function (event) {
    if (!event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.code === "KeyS") { event.preventDefault(); save(); }
    else if (event.code === "KeyN") { event.preventDefault(); newCall(false); }
  });

  // --- start: a screen-pop (?mobile=…), or a page the server drew after a plain POST -------------------------
  if (!result.hidden) {
    state.done = true;
    form.classList.add("is-done");
    form.querySelectorAll("fieldset").forEach(function (fs) { fs.disabled = true; });
    $("result-readback").textContent = readBack($("result-docket").textContent.trim());
    $("result-docket").focus();
  } else if (mobile.value.trim()) {
    startWithCaller(); // a screen-pop: ?mobile=…
  } else {
    mobile.focus();
  }
  if (field("category").value && field("ward").value) checkDuplicates();
  pollLiveCalls();
  setInterval(function () { if (!state.saving) refreshQueue(); }, 120000);
})();
