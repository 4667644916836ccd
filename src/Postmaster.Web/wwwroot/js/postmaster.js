// What the pages do in the browser, from this file only: the Content-Security-Policy
// (Infrastructure/Http/SecurityHeaders.cs) refuses inline script and on* attributes.
"use strict";

// <form data-confirm="Remove 192.0.2.1?"> (or the submit button carrying data-confirm): ask first,
// and send nothing unless the person agrees. Without script the form still works, unasked.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) {
    return;
  }

  const question = event.submitter?.dataset.confirm ?? form.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// <button data-copy="field-1">: puts the text of element #field-1 (a box's value, or a block's text)
// on the clipboard, for pasting into a provider's form. The Clipboard API needs a secure context
// (HTTPS or localhost); elsewhere the text is selected and copied the old way.
document.addEventListener("click", async (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-copy]") : null;
  const source = button ? document.getElementById(button.dataset.copy) : null;
  if (!source) {
    return;
  }

  const text = "value" in source ? source.value : source.textContent;
  let copied = false;
  try {
    await navigator.clipboard.writeText(text);
    copied = true;
  } catch {
    const range = document.createRange();
    range.selectNodeContents(source);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    if ("select" in source) {
      source.select();
    }
    copied = document.execCommand("copy");
  }

  const label = button.textContent;
  button.textContent = copied ? "Copied" : "Select and copy by hand";
  setTimeout(() => { button.textContent = label; }, 1500);
});
