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
