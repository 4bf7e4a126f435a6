// Annotating an article page (DESIGN §4, issue 4). A plain ES module: no build step, no
// dependencies, nothing inline (the CSP allows scripts from this site only).
//
// - Highlights: every quoted annotation listed in the panel gets its words wrapped in
//   <mark class="hl tag-…" data-annotation="N">. The server counts offsets in Unicode code
//   points, the DOM in UTF-16 units: everything below converts at the boundary.
// - Annotating: select words inside one provision with the mouse, or use an "Annotate" button
//   (the keyboard and touch route); both open the same non-modal dialog, which posts to the API.
// - The panel's small forms (reply, delete, endorse, flag) work without this script; with it they
//   go through the API and show the API's message beside the form.

const CONTEXT_LENGTH = 32; // code points of prefix / suffix sent with a quote, as the server stores
const FOCUS_KEY = "marginalia:focus";

// The interface language's words, from the site's own catalogue (/jsi18n/, loaded by the page
// before this module, as a classic script under the same CSP); English if it is missing.
// Calls are spelled gettext(...) so that makemessages (xgettext) finds the words.
const gettext = typeof window.gettext === "function" ? window.gettext : (message) => message;

/** A translated message with its %(name)s placeholders filled in. */
function fill(message, values) {
  return message.replace(/%\((\w+)\)s/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

const layout = document.getElementById("article-layout");
if (layout) {
  init(layout);
}

function init(layout) {
  const article = layout.querySelector(".treaty-article");
  const bodies = new Map(
    [...layout.querySelectorAll(".provision-body[data-provision]")].map((body) => [body.dataset.provision, body]),
  );
  highlightAnnotations(layout, bodies);
  connectPanel(layout, bodies);
  enhanceApiForms(layout);
  openLinkedAnnotation();
  restoreFocusAfterReload();
  if (layout.hasAttribute("data-can-annotate")) {
    connectAnnotating(layout, article, bodies);
  }
}

// --- Code points and UTF-16 ----------------------------------------------------------------

/** The UTF-16 offset of code point index `index` in `text`. */
export function codePointsToUtf16(text, index) {
  let units = 0;
  let count = 0;
  for (const char of text) {
    if (count === index) return units;
    units += char.length;
    count += 1;
  }
  if (count === index) return units;
  throw new RangeError(`Offset ${index} is beyond the end of the text.`);
}

/** The code point index of UTF-16 offset `offset` in `text` (as a DOM Range reports it). */
export function utf16ToCodePoints(text, offset) {
  let units = 0;
  let count = 0;
  for (const char of text) {
    if (units >= offset) return count;
    units += char.length;
    count += 1;
  }
  if (units >= offset) return count;
  throw new RangeError(`Offset ${offset} is beyond the end of the text.`);
}

// --- Highlights ----------------------------------------------------------------------------

function highlightAnnotations(layout, bodies) {
  const quoted = [...layout.querySelectorAll(".annotation[data-start][data-end]")]
    .map((entry) => ({
      id: entry.dataset.annotation,
      provision: entry.dataset.provision,
      start: Number(entry.dataset.start),
      end: Number(entry.dataset.end),
      tag: (entry.dataset.tags || "").split(" ")[0],
    }))
    // Longer spans first among those starting together, so that they become the outer marks.
    .sort((a, b) => a.start - b.start || b.end - a.end);
  for (const annotation of quoted) {
    const body = bodies.get(annotation.provision);
    if (!body) continue;
    const text = body.textContent;
    let start;
    let end;
    try {
      start = codePointsToUtf16(text, annotation.start);
      end = codePointsToUtf16(text, annotation.end);
    } catch {
      continue; // the stored offsets do not fit this text: leave it unmarked rather than mark wrong words
    }
    wrapRange(body, start, end, (mark) => {
      mark.className = annotation.tag ? `hl tag-${annotation.tag}` : "hl";
      mark.dataset.annotation = annotation.id;
    });
  }
  for (const mark of layout.querySelectorAll("mark.hl")) {
    // How deeply a mark sits inside others: stacked underlines keep overlaps readable.
    let depth = 0;
    for (let parent = mark.parentElement; parent && !parent.classList.contains("provision-body"); parent = parent.parentElement) {
      if (parent.matches("mark.hl")) depth += 1;
    }
    if (depth) mark.classList.add(`hl-depth-${Math.min(depth, 3)}`);
  }
}

/** Wrap the text between UTF-16 offsets `start` and `end` of `root` in marks, one per text node. */
function wrapRange(root, start, end, decorate) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const pieces = [];
  let position = 0;
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const nodeStart = position;
    const nodeEnd = position + node.data.length;
    if (nodeEnd > start && nodeStart < end) {
      pieces.push([node, Math.max(start, nodeStart) - nodeStart, Math.min(end, nodeEnd) - nodeStart]);
    }
    position = nodeEnd;
    if (position >= end) break;
  }
  const marks = [];
  for (const [node, from, to] of pieces) {
    let piece = node;
    if (to < piece.data.length) piece.splitText(to);
    if (from > 0) piece = piece.splitText(from);
    const mark = document.createElement("mark");
    decorate(mark);
    piece.parentNode.insertBefore(mark, piece);
    mark.appendChild(piece);
    marks.push(mark);
  }
  return marks;
}

function unwrap(mark) {
  const parent = mark.parentNode;
  while (mark.firstChild) parent.insertBefore(mark.firstChild, mark);
  parent.removeChild(mark);
  parent.normalize();
}

// --- The panel -----------------------------------------------------------------------------

function connectPanel(layout, bodies) {
  // "Show in the text": scroll to the words and mark them; keyboard focus follows.
  layout.addEventListener("click", (event) => {
    const link = event.target.closest("a.show-in-text[data-annotation]");
    if (link) {
      event.preventDefault();
      showInText(layout, bodies, link.dataset.annotation, link.getAttribute("href").slice(1));
      return;
    }
    const mark = event.target.closest("mark.hl[data-annotation]");
    if (mark && window.getSelection().isCollapsed) {
      const entry = document.getElementById(`annotation-${mark.dataset.annotation}`);
      if (entry) focusEntry(layout, entry);
    }
  });
}

function showInText(layout, bodies, id, provisionKey) {
  for (const active of layout.querySelectorAll(".hl-active, .provision-active")) {
    active.classList.remove("hl-active", "provision-active");
  }
  const marks = [...layout.querySelectorAll(`mark.hl[data-annotation="${CSS.escape(id)}"]`)];
  let target;
  if (marks.length) {
    marks.forEach((mark) => mark.classList.add("hl-active"));
    target = marks[0];
  } else {
    const body = bodies.get(provisionKey);
    target = body ? body.closest(".provision") : document.getElementById(provisionKey);
    if (!target) return;
    target.classList.add("provision-active");
  }
  target.setAttribute("tabindex", "-1");
  target.focus({ preventScroll: true });
  target.scrollIntoView({ block: "center", behavior: prefersReducedMotion() ? "auto" : "smooth" });
}

function focusEntry(layout, entry) {
  for (const active of layout.querySelectorAll(".annotation-active")) active.classList.remove("annotation-active");
  entry.classList.add("annotation-active");
  entry.setAttribute("tabindex", "-1");
  entry.focus({ preventScroll: true });
  entry.scrollIntoView({ block: "nearest", behavior: prefersReducedMotion() ? "auto" : "smooth" });
}

function prefersReducedMotion() {
  return window.matchMedia("(prefers-reduced-motion: reduce)").matches;
}

/** A link to #annotation-N whose annotation is on another page of the panel: ask the server for it. */
function openLinkedAnnotation() {
  const match = /^#annotation-(\d+)$/.exec(window.location.hash);
  if (!match || document.getElementById(`annotation-${match[1]}`)) return;
  const url = new URL(window.location.href);
  if (url.searchParams.get("show") === match[1]) return; // asked already: not visible to this reader
  url.searchParams.set("show", match[1]);
  url.searchParams.delete("page");
  window.location.replace(url);
}

/** After an action reloads the page, put keyboard focus back on what it changed. */
function restoreFocusAfterReload() {
  const id = window.sessionStorage.getItem(FOCUS_KEY);
  if (!id) return;
  window.sessionStorage.removeItem(FOCUS_KEY);
  const element = document.getElementById(id);
  if (!element) return;
  element.setAttribute("tabindex", "-1");
  element.classList.add("annotation-active");
  element.focus({ preventScroll: true });
  element.scrollIntoView({ block: "center" });
}

function reloadFocusing(id, { show } = {}) {
  window.sessionStorage.setItem(FOCUS_KEY, id);
  const url = new URL(window.location.href);
  url.hash = "";
  if (show) {
    // A new annotation: open the panel on the page that holds it, without filters that could hide it.
    for (const name of ["tag", "position", "organization", "mine", "page"]) url.searchParams.delete(name);
    url.searchParams.set("show", show);
  }
  if (url.href === window.location.href.replace(/#.*$/, "")) {
    window.location.reload();
  } else {
    window.location.assign(url);
  }
}

// --- Talking to the API --------------------------------------------------------------------

function csrfToken() {
  const input = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (input) return input.value;
  const match = /(?:^|;\s*)csrftoken=([^;]+)/.exec(document.cookie);
  return match ? decodeURIComponent(match[1]) : "";
}

async function api(method, url, body) {
  const headers = { Accept: "application/json", "X-CSRFToken": csrfToken() };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    return { ok: false, status: 0, data: { detail: gettext("The site could not be reached: check your connection and try again.") } };
  }
  let data = null;
  if (response.status !== 204) {
    try {
      data = await response.json();
    } catch {
      data = null;
    }
  }
  if (!response.ok && (!data || typeof data !== "object")) {
    data = { detail: fill(gettext("The server answered with an error (%(status)s). Try again in a moment."), { status: response.status }) };
  }
  return { ok: response.ok, status: response.status, data };
}

/** The API's errors as {field: message}: `{"detail": …}`, field lists, or nested (quote.exact). */
function errorMessages(data) {
  const flatten = (value) => {
    if (value == null) return "";
    if (typeof value === "string") return value;
    if (Array.isArray(value)) return value.map(flatten).filter(Boolean).join(" ");
    if (typeof value === "object") return Object.values(value).map(flatten).filter(Boolean).join(" ");
    return String(value);
  };
  const messages = {};
  for (const [field, value] of Object.entries(data || {})) {
    messages[field === "non_field_errors" ? "detail" : field] = flatten(value);
  }
  return messages;
}

/** The panel's plain forms, sent through the API so that errors appear beside them. */
function enhanceApiForms(layout) {
  for (const form of layout.querySelectorAll("form[data-api]")) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const output = form.querySelector(".form-error");
      const button = form.querySelector("button[type=submit]");
      const payload = {};
      for (const [name, value] of new FormData(form)) {
        if (name === "csrfmiddlewaretoken" || name === "withdraw") continue;
        payload[name] = name === "parent" ? Number(value) : value;
      }
      let url = form.dataset.api;
      let body = payload;
      if (form.dataset.method === "DELETE") {
        const query = new URLSearchParams(payload).toString();
        if (query) url += (url.includes("?") ? "&" : "?") + query;
        body = undefined;
      }
      if (output) output.textContent = "";
      button.disabled = true;
      const result = await api(form.dataset.method, url, body);
      button.disabled = false;
      if (!result.ok) {
        if (output) output.textContent = Object.values(errorMessages(result.data)).join(" ");
        return;
      }
      const done = form.dataset.done;
      if (done === "flag") {
        const details = form.closest("details");
        const thanks = document.createElement("p");
        thanks.className = "form-done";
        thanks.setAttribute("role", "status");
        (details || form).replaceWith(thanks);
        // Filled after insertion, so that screen readers announce it.
        window.setTimeout(() => {
          thanks.textContent = (result.data && result.data.detail) || gettext("Thank you: moderators will look at it.");
        }, 50);
      } else if (done === "reply" && result.data && result.data.id) {
        reloadFocusing(`reply-${result.data.id}`);
      } else if (done === "annotations") {
        reloadFocusing("annotations-heading");
      } else {
        reloadFocusing(done || "annotations-heading");
      }
    });
  }
}

// --- Annotating ----------------------------------------------------------------------------

function connectAnnotating(layout, article, bodies) {
  const dialog = document.getElementById("annotate-dialog");
  const form = document.getElementById("annotate-form");
  const notice = document.getElementById("selection-notice");
  if (!dialog || !form) return;
  const fields = {
    provision: form.elements.namedItem("provision"),
    quote: form.elements.namedItem("quote"),
    position: form.elements.namedItem("position"),
    body: form.elements.namedItem("body"),
    proposed: form.elements.namedItem("proposed_text"),
    commentLanguage: form.elements.namedItem("comment_language"),
  };
  const title = document.getElementById("annotate-title");
  const fixedTarget = document.getElementById("annotate-target-fixed");
  const choosers = [fields.provision.closest("p"), fields.quote.closest("p")];
  const articleKey = layout.dataset.article;
  const labelOf = (key) => {
    const option = [...fields.provision.options].find((o) => o.value === key);
    return option ? option.dataset.label : key;
  };
  let state = null; // {mode: "create"|"edit", id, selection, returnFocus, pendingMarks}

  // Buttons exist in the page for everyone allowed to annotate; they need this script to work.
  for (const button of layout.querySelectorAll(".annotate-button, .edit-button")) button.hidden = false;

  layout.addEventListener("click", (event) => {
    const annotate = event.target.closest(".annotate-button");
    if (annotate) {
      open({ provision: annotate.dataset.provision, anchor: annotate, returnFocus: annotate });
      return;
    }
    const edit = event.target.closest(".edit-button");
    if (edit) openForEdit(edit);
  });

  document.addEventListener("mouseup", (event) => {
    if (event.button !== 0 || !article.contains(event.target)) return;
    // Let the browser settle the selection first.
    window.setTimeout(() => annotateSelection(), 0);
  });

  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    if (dialog.open) {
      event.preventDefault();
      close();
    } else if (notice && !notice.hidden) {
      event.preventDefault();
      closeNotice();
    }
  });

  document.getElementById("annotate-cancel").addEventListener("click", () => close());
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    save();
  });
  if (notice) {
    document.getElementById("selection-notice-close").addEventListener("click", closeNotice);
    document.getElementById("selection-notice-article").addEventListener("click", () => {
      const returnFocus = notice.returnFocus;
      closeNotice();
      const button = layout.querySelector(".annotate-article");
      open({ provision: articleKey, anchor: button || article, returnFocus: returnFocus || button });
    });
  }

  function annotateSelection() {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) return;
    const range = selection.getRangeAt(0);
    // The provisions whose words are selected (a triple click reaches the start of the next block
    // without selecting anything in it: that one does not count).
    const touched = [...bodies.values()].filter(
      (body) => range.intersectsNode(body) && selectedText(range, body).trim() !== "",
    );
    if (!touched.length) return;
    if (touched.length > 1) {
      const first = touched[0].closest("[data-label]").dataset.label;
      const last = touched[touched.length - 1].closest("[data-label]").dataset.label;
      showNotice(
        fill(gettext("Your selection spans %(first)s and %(last)s: select words within one paragraph, or annotate the whole article."), { first, last }),
        range.getBoundingClientRect(),
      );
      return;
    }
    const body = touched[0];
    const text = body.textContent;
    const clipped = range.cloneRange();
    if (!body.contains(range.startContainer)) clipped.setStart(body, 0);
    if (!body.contains(range.endContainer)) clipped.setEnd(body, body.childNodes.length);
    let start = offsetWithin(body, clipped.startContainer, clipped.startOffset);
    let end = offsetWithin(body, clipped.endContainer, clipped.endOffset);
    // A double click takes the space after a word with it: comment on the words only.
    while (start < end && /\s/.test(text[start])) start += 1;
    while (end > start && /\s/.test(text[end - 1])) end -= 1;
    if (start >= end) return;
    const points = Array.from(text);
    const from = utf16ToCodePoints(text, start);
    const to = utf16ToCodePoints(text, end);
    const quote = {
      exact: points.slice(from, to).join(""),
      prefix: points.slice(Math.max(0, from - CONTEXT_LENGTH), from).join(""),
      suffix: points.slice(to, to + CONTEXT_LENGTH).join(""),
      start: from,
      end: to,
    };
    const rect = range.getBoundingClientRect();
    selection.removeAllRanges();
    // Show what will be annotated while the form is open.
    const pendingMarks = wrapRange(body, start, end, (mark) => {
      mark.className = "hl-pending";
    });
    const button = body.closest(".provision")?.querySelector(".annotate-button") || layout.querySelector(".annotate-article");
    open({ provision: body.dataset.provision, selection: quote, rect, returnFocus: button, pendingMarks });
  }

  function open({ provision, selection = null, anchor = null, rect = null, returnFocus = null, pendingMarks = [], edit = null }) {
    closeNotice();
    if (state) clearPending();
    state = {
      mode: edit ? "edit" : "create",
      id: edit ? edit.id : null,
      selection, // {exact, prefix, suffix, start, end} in `provision`, from the mouse
      provision,
      returnFocus,
      pendingMarks,
    };
    form.reset();
    clearErrors();
    const editing = Boolean(edit);
    for (const chooser of choosers) chooser.hidden = editing;
    fixedTarget.hidden = !editing && !selection;
    if (editing) {
      title.textContent = gettext("Edit your annotation");
      fixedTarget.textContent = edit.target.exact
        ? fill(gettext("On %(label)s: “%(quote)s” (the words an annotation is on cannot change)"), { label: edit.target.label, quote: edit.target.exact })
        : fill(gettext("On %(label)s as a whole (what an annotation is on cannot change)"), { label: edit.target.label });
      fillForEdit(edit);
    } else {
      fields.provision.value = provision;
      fields.quote.value = selection ? selection.exact : "";
      title.textContent = selection ? gettext("Annotate the selected words") : fill(gettext("Annotate %(label)s"), { label: labelOf(provision) });
      fixedTarget.textContent = selection ? fill(gettext("You selected words in %(label)s."), { label: labelOf(provision) }) : "";
    }
    dialog.show();
    place(rect || (anchor ? anchor.getBoundingClientRect() : null));
    // With the words chosen, the next thing to decide is the concern: start there.
    const first = editing || selection ? form.querySelector("input[name=tags]") : fields.provision;
    first.focus({ preventScroll: Boolean(rect || anchor) });
  }

  function place(rect) {
    dialog.style.top = "";
    dialog.style.left = "";
    if (!rect || window.matchMedia("(max-width: 40rem)").matches) return; // a sheet at the bottom (CSS)
    const width = dialog.offsetWidth;
    const height = dialog.offsetHeight;
    const left = Math.min(
      Math.max(8, rect.left + window.scrollX),
      document.documentElement.clientWidth + window.scrollX - width - 8,
    );
    // Below the words or the button; above them when only that keeps both in view.
    const fitsBelow = rect.bottom + height + 16 <= window.innerHeight;
    const fitsAbove = rect.top - height - 16 >= 0;
    const top = !fitsBelow && fitsAbove ? rect.top - height - 8 : rect.bottom + 8;
    dialog.style.top = `${top + window.scrollY}px`;
    dialog.style.left = `${Math.max(8, left)}px`;
    dialog.scrollIntoView({ block: "nearest" });
  }

  function close() {
    if (!state) return;
    const { returnFocus } = state;
    clearPending();
    state = null;
    dialog.close();
    if (returnFocus && returnFocus.isConnected) returnFocus.focus();
  }

  function clearPending() {
    for (const mark of state.pendingMarks || []) if (mark.isConnected) unwrap(mark);
    state.pendingMarks = [];
  }

  function showNotice(message, rect) {
    if (!notice) return;
    notice.returnFocus = document.activeElement;
    notice.hidden = false;
    document.getElementById("selection-notice-text").textContent = message;
    notice.style.top = `${rect.bottom + window.scrollY + 8}px`;
    notice.style.left = `${Math.max(8, rect.left + window.scrollX)}px`;
    document.getElementById("selection-notice-article").focus();
  }

  function closeNotice() {
    if (!notice || notice.hidden) return;
    notice.hidden = true;
    if (notice.returnFocus && notice.returnFocus.isConnected && notice.returnFocus !== document.body) {
      notice.returnFocus.focus();
    }
  }

  async function openForEdit(button) {
    const result = await api("GET", `${layout.dataset.apiAnnotations}${button.dataset.edit}/`);
    if (!result.ok) {
      const entry = button.closest(".annotation");
      const output = entry && entry.querySelector(".form-error");
      if (output) output.textContent = Object.values(errorMessages(result.data)).join(" ");
      return;
    }
    open({ anchor: button, returnFocus: button, edit: result.data });
  }

  function fillForEdit(annotation) {
    for (const box of form.querySelectorAll("input[name=tags]")) box.checked = annotation.tags.includes(box.value);
    for (const radio of form.querySelectorAll("input[name=severity]")) radio.checked = Number(radio.value) === annotation.severity;
    for (const radio of form.querySelectorAll("input[name=attribution]")) radio.checked = radio.value === annotation.attribution;
    if (fields.commentLanguage && annotation.comment_language !== "und") fields.commentLanguage.value = annotation.comment_language;
    fields.position.value = annotation.position;
    fields.body.value = annotation.body || "";
    fields.proposed.value = annotation.proposed_text || "";
  }

  function collect() {
    const value = (name) => {
      const checked = form.querySelector(`input[name=${name}]:checked`);
      return checked ? checked.value : undefined;
    };
    const data = {
      tags: [...form.querySelectorAll("input[name=tags]:checked")].map((box) => box.value),
      severity: Number(value("severity")),
      position: fields.position.value,
      body: fields.body.value,
      proposed_text: fields.proposed.value,
      attribution: value("attribution"),
      comment_language: fields.commentLanguage ? fields.commentLanguage.value.trim() || undefined : undefined,
    };
    if (state.mode === "edit") return data;
    Object.assign(data, {
      treaty: layout.dataset.treaty,
      version: layout.dataset.version,
      language: layout.dataset.language,
      provision: fields.provision.value,
    });
    const organization = form.elements.namedItem("organization");
    if (organization) data.organization = organization.value;
    const typed = fields.quote.value;
    const { selection } = state;
    if (selection && data.provision === state.provision && typed === selection.exact) {
      const { exact, prefix, suffix, start, end } = selection;
      data.quote = { exact, prefix, suffix, start, end };
    } else if (typed.trim()) {
      // Typed (or changed) by hand: the server looks it up and says if it is absent or repeated.
      data.quote = { exact: typed.trim() };
    }
    return data;
  }

  async function save() {
    clearErrors();
    const saveButton = document.getElementById("annotate-save");
    const data = collect();
    saveButton.disabled = true;
    const result =
      state.mode === "edit"
        ? await api("PATCH", `${layout.dataset.apiAnnotations}${state.id}/`, data)
        : await api("POST", layout.dataset.apiAnnotations, data);
    saveButton.disabled = false;
    if (result.ok) {
      const id = result.data.id;
      reloadFocusing(`annotation-${id}`, { show: String(id) });
      return;
    }
    showErrors(errorMessages(result.data));
  }

  function clearErrors() {
    for (const output of form.querySelectorAll("[data-error-for]")) output.textContent = "";
    for (const invalid of form.querySelectorAll("[aria-invalid]")) invalid.removeAttribute("aria-invalid");
  }

  function showErrors(messages) {
    const general = [];
    let firstInvalid = null;
    for (const [field, message] of Object.entries(messages)) {
      const output = form.querySelector(`[data-error-for="${CSS.escape(field)}"]`);
      const shown = output && !output.closest("[hidden]");
      if (!shown) {
        general.push(message);
        continue;
      }
      output.textContent = message;
      const control = fieldControl(field);
      if (control) {
        control.setAttribute("aria-invalid", "true");
        firstInvalid = firstInvalid || control;
      }
    }
    if (general.length) form.querySelector('[data-error-for="detail"]').textContent = general.join(" ");
    (firstInvalid || form.querySelector('[data-error-for="detail"]')).focus?.();
    if (firstInvalid && firstInvalid.matches("fieldset")) {
      const inside = firstInvalid.querySelector("input:not([disabled])");
      if (inside) inside.focus();
    }
  }

  function fieldControl(field) {
    const byName = {
      provision: fields.provision,
      quote: fields.quote,
      position: fields.position,
      body: fields.body,
      proposed_text: fields.proposed,
      organization: form.elements.namedItem("organization"),
      tags: form.querySelector(".annotate-tags"),
      severity: form.querySelector(".annotate-severity"),
      attribution: form.querySelector(".annotate-attribution"),
    };
    return byName[field] || null;
  }
}

/** The text of `range` inside `element`. */
function selectedText(range, element) {
  const inside = document.createRange();
  inside.selectNodeContents(element);
  if (range.compareBoundaryPoints(Range.START_TO_START, inside) > 0) {
    inside.setStart(range.startContainer, range.startOffset);
  }
  if (range.compareBoundaryPoints(Range.END_TO_END, inside) < 0) {
    inside.setEnd(range.endContainer, range.endOffset);
  }
  return inside.toString();
}

/** The UTF-16 offset of a DOM position inside `root`'s text. */
function offsetWithin(root, node, offset) {
  const before = document.createRange();
  before.setStart(root, 0);
  before.setEnd(node, offset);
  return before.toString().length;
}
