// The moderation queue, enhanced (issue 14 §3): decisions applied in place without reloading, a
// bulk decision that keeps the selection of the items it could not decide, select-all, and
// keyboard shortcuts. Without this script every form still posts and the page reloads.

// The interface language's words, from the site's own catalogue (/jsi18n/, loaded before this
// module); English if it is missing. Calls are spelled gettext(...) so that makemessages finds them.
const gettext = typeof window.gettext === "function" ? window.gettext : (message) => message;

/** A translated message with its %(name)s placeholders filled in. */
function fill(message, values) {
  return message.replace(/%\((\w+)\)s/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

const queue = document.querySelector(".mod-list");
const announce = document.getElementById("mod-announce");

if (queue) {
  const bulkForm = document.getElementById("bulk-form");
  const items = () => Array.from(queue.querySelectorAll(".mod-item"));
  let current = null;

  const say = (text) => {
    // Cleared first so that the same words said twice are announced twice.
    announce.textContent = "";
    window.setTimeout(() => { announce.textContent = text; }, 50);
  };

  const select = (item, { focus = true } = {}) => {
    if (!item) return;
    if (current) current.classList.remove("current");
    current = item;
    item.classList.add("current");
    if (!item.hasAttribute("tabindex")) item.setAttribute("tabindex", "-1");
    if (focus) {
      item.focus({ preventScroll: true });
      item.scrollIntoView({ block: "nearest" });
    }
  };

  const outcome = (item, text, failed) => {
    const line = item.querySelector(".mod-outcome");
    line.textContent = text;
    line.hidden = false;
    line.classList.toggle("failed", failed);
  };

  // A decided item leaves the queue, as it would after a reload; the announcement says what was done.
  const decided = (item) => {
    const next = nextAfter(item);
    if (current === item) current = null;
    item.closest("li").remove();
    if (!items().length) {
      const done = document.createElement("p");
      done.className = "mod-page-done";
      const more = document.querySelector('.pager a[rel="next"]');
      done.append(more ? gettext("Nothing more on this page.") + " " : gettext("Nothing is waiting.") + " ");
      const again = document.createElement("a");
      again.href = window.location.href;
      again.textContent = gettext("Load the queue again");
      done.append(again);
      queue.replaceWith(done);
      bulkForm?.remove();
      document.querySelector(".mod-select-all")?.remove();
      again.focus();  // Enter loads what is left, so the keyboard can carry on
    }
    return next;
  };

  // A form's `action` property is shadowed by its inputs named "action": read the attribute.
  const target = (form) => form.getAttribute("action");

  // The body is read before the button is disabled: a disabled submitter is not sent.
  const post = async (form, body) => {
    const response = await fetch(target(form), {
      method: "POST",
      body,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    let answer = null;
    try { answer = await response.json(); } catch { answer = null; }
    return { response, answer };
  };

  // The item to go on with once `item` is decided: the one after it, else the one before.
  const nextAfter = (item) => {
    const list = items();
    const index = list.indexOf(item);
    return list[index + 1] || list[index - 1] || null;
  };

  // One item's decision (approve, reject with its reason, spam, feature, note).
  queue.addEventListener("submit", async (event) => {
    const form = event.target;
    const item = form.closest(".mod-item");
    if (!item || !target(form).includes("/decide/")) return;
    event.preventDefault();
    const submitter = event.submitter || null;
    const body = new FormData(form, submitter);
    if (submitter) submitter.disabled = true;
    try {
      const { response, answer } = await post(form, body);
      const message = answer?.message || fill(gettext("The decision failed (%(status)s): reload the page."), { status: response.status });
      if (response.ok) {
        const action = (body.get("action") || "").toString();
        if (action === "note" || action === "feature" || action === "unfeature") {
          outcome(item, message, false);
        } else {
          select(decided(item));
        }
        say(message);
      } else {
        outcome(item, message, true);
        say(message);
      }
    } catch {
      outcome(item, gettext("The server did not answer: nothing was changed. Try again."), true);
    } finally {
      if (submitter) submitter.disabled = false;
    }
  });

  // Several items at once: the ones decided leave the queue, the others keep their selection and say why.
  if (bulkForm) {
    bulkForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = new FormData(bulkForm, event.submitter || null);
      const { response, answer } = await post(bulkForm, body).catch(() => ({}));
      if (!answer) {
        say(gettext("The server did not answer: nothing was changed. Your selection is kept."));
        return;
      }
      if (answer.problem) {
        say(`${answer.problem} ${gettext("Nothing was changed; your selection is kept.")}`);
        return;
      }
      const failed = [];
      for (const result of answer.outcomes) {
        const item = document.getElementById(result.item);
        if (!item) continue;
        if (result.result === "ok") decided(item);
        else { outcome(item, result.message, true); failed.push(result.item.replace("-", " ")); }
      }
      let text = fill(gettext("%(done)s of %(total)s decided."), { done: answer.done, total: answer.outcomes.length });
      if (failed.length) text += " " + fill(gettext("Not applied, still selected: %(items)s (see each item)."), { items: failed.join(", ") });
      say(response.ok ? text : `${text} (${response.status})`);
    });
  }

  // Select all the open items of this page.
  const selectAll = document.getElementById("select-all");
  if (selectAll) {
    selectAll.closest(".mod-select-all").hidden = false;
    selectAll.addEventListener("change", () => {
      for (const box of queue.querySelectorAll('input[name="items"]:not(:disabled)')) {
        box.checked = selectAll.checked;
      }
    });
  }

  // Keyboard shortcuts, listed on the page. Never while typing, never with a modifier key.
  const typing = (target) =>
    target instanceof HTMLElement &&
    (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));

  const press = (item, shortcut) => {
    const button = item?.querySelector(`.mod-actions button[data-shortcut="${shortcut}"]`);
    if (button) button.click();
    else if (item) say(fill(gettext("That action is not available for %(item)s."), { item: item.id.replace("-", " ") }));
  };

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    const list = items();
    if (!list.length && event.key !== "?") return;
    if (current && !current.isConnected) current = null;
    const position = current ? list.indexOf(current) : -1;
    switch (event.key) {
      case "j":
        select(list[position + 1] || current || list[0]);
        break;
      case "k":
        select(list[position - 1] || current || list[0]);
        break;
      case "a": press(current || list[0], "a"); break;
      case "s": press(current || list[0], "s"); break;
      case "r": {
        const item = current || list[0];
        const details = item.querySelector(".mod-reject");
        if (!details) { say(fill(gettext("%(item)s cannot be rejected."), { item: item.id.replace("-", " ") })); break; }
        details.open = true;
        details.querySelector("textarea").focus();
        break;
      }
      case "x": {
        const box = (current || list[0]).querySelector('input[name="items"]');
        if (box && !box.disabled) box.checked = !box.checked;
        break;
      }
      case "?": {
        const help = document.getElementById("shortcuts");
        help.open = !help.open;
        break;
      }
      default:
        return;
    }
    event.preventDefault();
  });

  queue.addEventListener("focusin", (event) => {
    const item = event.target.closest?.(".mod-item");
    if (item && item !== current) select(item, { focus: false });
  });
}
