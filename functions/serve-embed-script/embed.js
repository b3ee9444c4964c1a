/*!
 * Leadflow embed script. Plain ES2018, no dependencies, no build step.
 *
 *   <script src="https://<leadflow api>/embed.js" defer></script>
 *   <form data-leads-form="demo" action="https://<leadflow api>/forms/demo/submissions" method="post">…</form>
 *
 * Enhances every form[data-leads-form]: posts it as JSON to <api>/forms/<formId>/submissions with the
 * visit's attribution (first and last touch), a honeypot, the time the form appeared and how long it took
 * to fill in, and shows the answer in place. Without this script, or without fetch, the form still posts as
 * plain HTML.
 *
 * Optional hooks in the page:
 *   data-leads-endpoint="<url>"     on the form: the API origin, if not this script's own
 *   [data-leads-success]            in the form (or [data-leads-success="<formId>"] anywhere): shown on success
 *   [data-leads-error-for="<name>"] where a field's error goes (else a span.leads-error after the field)
 *   [data-leads-message]            where general messages go (else a p.leads-message before the button)
 * The form fires a bubbling `leadflow:submitted` event with detail {leadId} on success, and
 * window.Leadflow.enhance() enhances forms added to the page later.
 */
(() => {
  'use strict';

  const campaignKeys = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content', 'gclid', 'gbraid', 'wbraid', 'fbclid', 'ttclid', 'li_fat_id'];
  const touchKeys = campaignKeys.concat('landing_url', 'referrer');
  const firstTouchStorageKey = 'leadflow:first-touch';
  const submitButtons = 'button:not([type]), button[type="submit"], input[type="submit"]';
  const text = {
    success: 'Thank you! We have your details and will be in touch soon.',
    checkFields: 'Please check the highlighted fields.',
    tooManyIn: (seconds) => `Too many attempts. Please retry in ${seconds} s.`,
    tooMany: 'Too many attempts. Please retry in a moment.',
    failed: 'Sorry, something went wrong. Please try again.',
  };

  // document.currentScript only exists while this file first runs, so the API origin is read now.
  const self = document.currentScript || document.querySelector('script[src*="/embed.js"]');
  const defaultEndpoint = self && self.src ? new URL(self.src, location.href).origin : location.origin;

  // Read once, when the page loads: a single-page app may change the URL before the visitor submits.
  const lastTouch = currentTouch();
  const firstTouch = rememberFirstTouch(lastTouch);
  let errorIds = 0;

  /** This page view's attribution: campaign parameters and click ids, the landing URL and the referrer. */
  function currentTouch() {
    const params = new URLSearchParams(location.search);
    const touch = {};
    for (const key of campaignKeys) if (params.get(key)) touch[key] = params.get(key);
    touch.landing_url = location.href.split('#')[0];
    if (document.referrer) touch.referrer = document.referrer;
    return touch;
  }

  /** The touch of the visitor's first visit, kept in localStorage; this visit's when storage is blocked. */
  function rememberFirstTouch(current) {
    try {
      const stored = pickTouch(JSON.parse(localStorage.getItem(firstTouchStorageKey) || 'null'));
      if (stored.landing_url) return stored;
      localStorage.setItem(firstTouchStorageKey, JSON.stringify(current));
    } catch {
      // Storage disabled, full or unreadable: attribution falls back to this visit.
    }
    return current;
  }

  function pickTouch(candidate) {
    const touch = {};
    for (const key of touchKeys) if (candidate && typeof candidate[key] === 'string') touch[key] = candidate[key];
    return touch;
  }

  function newKey() {
    return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');
  }

  function element(tag, attributes, content) {
    const node = document.createElement(tag);
    for (const name of Object.keys(attributes)) node.setAttribute(name, attributes[name]);
    if (content) node.textContent = content;
    return node;
  }

  /** A hidden input, unless the page has its own field of that name (an empty hidden one is filled in). */
  function addHiddenInput(form, name, value) {
    const existing = form.elements.namedItem(name);
    if (!existing) form.appendChild(element('input', { type: 'hidden', name, value }));
    else if (existing.type === 'hidden' && !existing.value) existing.value = value;
  }

  function enhance(form) {
    if (form.hasAttribute('data-leads-ready')) return;
    form.setAttribute('data-leads-ready', '');
    const startedAt = Date.now();
    // The fill time is measured here: the server's clock and the visitor's may disagree by minutes.
    const shownAt = performance.now();

    // Off-screen rather than display:none, which form-filling bots learn to skip.
    const trap = element('input', { type: 'text', name: '_hp', value: '', tabindex: '-1', autocomplete: 'off', 'aria-hidden': 'true' });
    trap.style.cssText = 'position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden;opacity:0';
    form.appendChild(trap);
    // These also reach the server in a plain HTML post (no fetch): the form keeps its action and method.
    addHiddenInput(form, '_started_at', String(startedAt));
    for (const key of Object.keys(lastTouch)) addHiddenInput(form, key, lastTouch[key]);

    if (typeof window.fetch !== 'function') {
      for (const key of Object.keys(firstTouch)) addHiddenInput(form, `first_touch.${key}`, firstTouch[key]);
      return;
    }
    const formId = form.getAttribute('data-leads-form');
    const endpoint = (form.getAttribute('data-leads-endpoint') || defaultEndpoint).replace(/\/+$/, '');
    const url = `${endpoint}/forms/${encodeURIComponent(formId)}/submissions`;
    let sending = false;
    // One key per submission: a retry after a lost answer (network error, 5xx) cannot store the lead twice.
    let idempotencyKey = newKey();

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (sending) return;
      sending = true;
      setBusy(form, true);
      clearErrors(form);
      // The page's own fields win over the attribution defaults, like in the plain HTML post.
      const payload = Object.assign({}, lastTouch, readFields(form), { _started_at: startedAt, _fill_ms: Math.round(performance.now() - shownAt), first_touch: firstTouch });
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', 'idempotency-key': idempotencyKey },
          body: JSON.stringify(payload),
        });
        const answer = (await response.json().catch(() => null)) || {};
        if (response.status === 202) return succeed(form, formId, answer);
        if (response.status < 500) idempotencyKey = newKey(); // refused, so nothing was stored
        if (response.status !== 400) console.warn(`Leadflow: form "${formId}" got ${response.status}`, answer.error || '');
        showFailure(form, response, answer);
      } catch (error) {
        console.warn(`Leadflow: form "${formId}" could not be sent`, error); // offline, blocked, or refused by CORS
        showMessage(form, text.failed);
      }
      sending = false;
      setBusy(form, false);
      // A Turnstile token verifies once, and the server may have spent it: the next attempt needs a new one.
      if (window.turnstile) window.turnstile.reset();
    });
  }

  /** Every named field, as the browser would post it; checkboxes as "true"/"false", repeated names as arrays. */
  function readFields(form) {
    const fields = {};
    const add = (name, value) => {
      const existing = fields[name];
      fields[name] = existing === undefined ? value : [].concat(existing, value);
    };
    for (const field of form.elements) {
      const { name, type } = field;
      if (!name || !('value' in field) || field.matches(':disabled') || /^(submit|button|reset|image|file|output)$/.test(type)) continue;
      if (type === 'checkbox') add(name, field.checked ? 'true' : 'false');
      else if (type === 'radio') {
        if (field.checked) add(name, field.value);
      } else if (type === 'select-multiple') {
        for (const option of field.selectedOptions) add(name, option.value);
      } else add(name, field.value);
    }
    return fields;
  }

  function setBusy(form, busy) {
    for (const button of form.querySelectorAll(submitButtons)) button.disabled = busy;
    if (busy) form.setAttribute('aria-busy', 'true');
    else form.removeAttribute('aria-busy');
  }

  function succeed(form, formId, answer) {
    form.dispatchEvent(new CustomEvent('leadflow:submitted', { bubbles: true, detail: answer }));
    let shown = form.querySelector('[data-leads-success]');
    if (shown) {
      for (const child of form.children) if (!child.contains(shown)) child.style.display = 'none';
    } else {
      shown = Array.from(document.querySelectorAll('[data-leads-success]')).find((candidate) => candidate.getAttribute('data-leads-success') === formId);
      if (shown) form.style.display = 'none';
      else {
        shown = element('p', { class: 'leads-success', role: 'status' }, text.success);
        form.textContent = '';
        form.appendChild(shown);
      }
    }
    shown.removeAttribute('hidden');
    shown.setAttribute('tabindex', '-1');
    shown.focus(); // the button that had focus is gone
  }

  function showFailure(form, response, answer) {
    if (response.status === 400 && Array.isArray(answer.issues)) {
      const general = [];
      let firstInvalid;
      for (const issue of answer.issues) {
        const field = visibleField(form, String(issue.path));
        if (field) {
          markInvalid(form, field, String(issue.path), issue.message);
          firstInvalid = firstInvalid || field;
        } else general.push(issue.path ? `${issue.path}: ${issue.message}` : issue.message);
      }
      showMessage(form, general.length ? general.join(' ') : text.checkFields);
      if (firstInvalid) firstInvalid.focus();
    } else if (response.status === 429) {
      // Cross-origin, the server has to list Retry-After in Access-Control-Expose-Headers.
      const seconds = retryAfterSeconds(response.headers.get('retry-after'));
      showMessage(form, seconds ? text.tooManyIn(seconds) : text.tooMany);
    } else showMessage(form, text.failed);
  }

  /** The field an issue's path names, unless it is one the visitor cannot see (hidden inputs, the honeypot). */
  function visibleField(form, name) {
    let field = form.elements.namedItem(name);
    if (field && !field.tagName) field = field[field.length - 1]; // several of that name: the last one
    return field && field.type !== 'hidden' && name !== '_hp' ? field : undefined;
  }

  function errorSlot(form, name) {
    return Array.from(form.querySelectorAll('[data-leads-error-for]')).find((slot) => slot.getAttribute('data-leads-error-for') === name);
  }

  function markInvalid(form, field, name, message) {
    let slot = errorSlot(form, name);
    if (!slot) {
      slot = element('span', { class: 'leads-error', 'data-leads-error-for': name, 'data-leads-added': '' });
      field.insertAdjacentElement('afterend', slot);
    }
    slot.id = slot.id || `leads-error-${++errorIds}`;
    slot.textContent = message;
    slot.removeAttribute('hidden');
    field.setAttribute('aria-invalid', 'true');
    const described = (field.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
    if (!described.includes(slot.id)) field.setAttribute('aria-describedby', described.concat(slot.id).join(' '));
  }

  function clearErrors(form) {
    showMessage(form, '');
    const slotIds = [];
    for (const slot of form.querySelectorAll('[data-leads-error-for]')) {
      slotIds.push(slot.id);
      if (slot.hasAttribute('data-leads-added')) slot.remove();
      else slot.textContent = '';
    }
    for (const field of form.querySelectorAll('[aria-invalid]')) {
      field.removeAttribute('aria-invalid');
      const described = (field.getAttribute('aria-describedby') || '').split(' ').filter((id) => id && !slotIds.includes(id));
      if (described.length) field.setAttribute('aria-describedby', described.join(' '));
      else field.removeAttribute('aria-describedby');
    }
  }

  function showMessage(form, message) {
    let box = form.querySelector('[data-leads-message]');
    if (!box) {
      if (!message) return;
      box = element('p', { class: 'leads-message', role: 'alert', 'data-leads-message': '' });
      const button = form.querySelector(submitButtons);
      if (button) button.insertAdjacentElement('beforebegin', box);
      else form.appendChild(box);
    }
    box.textContent = message;
    box.hidden = !message;
  }

  /** Retry-After is either delay-seconds or an HTTP date. */
  function retryAfterSeconds(header) {
    if (!header) return 0;
    const seconds = /^\s*\d+\s*$/.test(header) ? Number(header) : Math.ceil((Date.parse(header) - Date.now()) / 1000);
    return seconds > 0 ? seconds : 0;
  }

  function enhanceAll() {
    for (const form of document.querySelectorAll('form[data-leads-form]')) enhance(form);
  }

  window.Leadflow = { enhance: enhanceAll };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', enhanceAll);
  else enhanceAll();
})();
