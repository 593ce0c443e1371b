// Enhancements for the SPARQL query page. The page works without them: the form is a plain GET
// form and every example is a link that runs it. Where the editor (editor/sparql-editor.js) has
// loaded, it takes the textarea's place; otherwise the textarea gets the same keys.
(function () {
  "use strict";
  var form = document.querySelector("form.query");
  if (!form) {
    return;
  }
  var textarea = form.querySelector("textarea[name=query]");

  function run() {
    if (form.requestSubmit) {
      form.requestSubmit();
    } else {
      form.submit();
    }
  }

  function prefixes() {
    var data = document.getElementById("sparql-prefixes");
    try {
      return data ? JSON.parse(data.textContent) : {};
    } catch (error) {
      return {};
    }
  }

  var editor = null;
  if (window.LodpubEditor) {
    var label = form.querySelector("label[for=query]");
    editor = window.LodpubEditor.enhance(textarea, {
      prefixes: prefixes(),
      run: run,
      label: label ? label.textContent : "SPARQL",
    });
    if (label) {
      label.addEventListener("click", function () {
        editor.focus();
      });
    }
  } else {
    // Ctrl+Enter (Cmd+Enter on a Mac) runs the query.
    textarea.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        run();
      }
    });
  }

  // An example loads into the editor; a modified click (new tab or window) still follows the link.
  var links = document.querySelectorAll("a[data-query]");
  Array.prototype.forEach.call(links, function (link) {
    link.addEventListener("click", function (event) {
      if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
        return;
      }
      event.preventDefault();
      var text = link.getAttribute("data-query");
      if (editor) {
        editor.setValue(text);
        editor.focus();
        editor.view.dom.scrollIntoView({ block: "nearest" });
      } else {
        textarea.value = text;
        textarea.focus();
        textarea.setSelectionRange(0, 0);
        textarea.scrollIntoView({ block: "nearest" });
      }
    });
  });
})();
