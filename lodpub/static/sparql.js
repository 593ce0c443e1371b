// Enhancements for the SPARQL query page. The page works without them: the form is a plain GET
// form and every example is a link that runs it.
(function () {
  "use strict";
  var form = document.querySelector("form.query");
  if (!form) {
    return;
  }
  var editor = form.querySelector("textarea[name=query]");

  // Ctrl+Enter (Cmd+Enter on a Mac) runs the query.
  editor.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      if (form.requestSubmit) {
        form.requestSubmit();
      } else {
        form.submit();
      }
    }
  });

  // An example loads into the editor; a modified click (new tab or window) still follows the link.
  var links = document.querySelectorAll("a[data-query]");
  Array.prototype.forEach.call(links, function (link) {
    link.addEventListener("click", function (event) {
      if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
        return;
      }
      event.preventDefault();
      editor.value = link.getAttribute("data-query");
      editor.focus();
      editor.setSelectionRange(0, 0);
      editor.scrollIntoView({ block: "nearest" });
    });
  });
})();
