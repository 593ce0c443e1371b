// The edit page (/edit): keeps the write token in this tab's session storage, so publishing after a
// preview needs no second typing. The server never puts the token in a page; it leaves the tab only
// in the form's POST body, and is forgotten when the tab closes or the server refuses it.
(function () {
  "use strict";
  var KEY = "lodpub-write-token";
  var field = document.getElementById("token");
  if (!field) {
    return;
  }
  try {
    var storage = window.sessionStorage;
    if (document.querySelector("[data-token-refused]")) {
      storage.removeItem(KEY);
    } else if (!field.value && storage.getItem(KEY)) {
      field.value = storage.getItem(KEY);
    }
    field.form.addEventListener("submit", function () {
      if (field.value) {
        storage.setItem(KEY, field.value);
      }
    });
  } catch (error) {
    // no session storage (a private mode, a policy): the token is typed for each step
  }
})();
