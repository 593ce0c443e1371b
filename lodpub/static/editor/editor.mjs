// The query page's editor: CodeMirror 6 with the SPARQL mode of @codemirror/legacy-modes, built into
// `sparql-editor.js` (see README.md). It replaces a textarea that stays in the form, so the form posts
// what the editor holds, and pages without this script keep the plain textarea.
import { autocompletion, closeBrackets, completionKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { bracketMatching, StreamLanguage, syntaxHighlighting } from "@codemirror/language";
import { sparql } from "@codemirror/legacy-modes/mode/sparql";
import { EditorState } from "@codemirror/state";
import { drawSelection, EditorView, highlightActiveLine, keymap, lineNumbers } from "@codemirror/view";
import { classHighlighter } from "@lezer/highlight";

const DECLARED = /^\s*PREFIX\s+([A-Za-z][\w.-]*)?:/gim;
const DECLARING = /^\s*PREFIX\s+([A-Za-z][\w.-]*)?$/i;

function declared(text) {
  return new Set([...text.matchAll(DECLARED)].map((m) => m[1] || ""));
}

// Where a new PREFIX line goes: after the last declaration (BASE, PREFIX or comment) at the top.
function headerEnd(doc) {
  let end = 0;
  for (let n = 1; n <= doc.lines; n++) {
    const line = doc.line(n);
    if (/^\s*(#|PREFIX\s|BASE\s|$)/i.test(line.text)) {
      if (/^\s*(PREFIX|BASE)\s/i.test(line.text)) end = line.to + 1;
    } else break;
  }
  return Math.min(end, doc.length);
}

// Completes prefixes from the server's list (no request goes anywhere): after `PREFIX ` the whole
// declaration, elsewhere `name:`, adding its declaration at the top when the query lacks it.
function prefixCompletion(prefixes) {
  const names = Object.keys(prefixes).sort();
  return (context) => {
    const line = context.state.doc.lineAt(context.pos);
    const before = line.text.slice(0, context.pos - line.from);
    const declaration = DECLARING.exec(before);
    if (declaration) {
      return {
        from: context.pos - (declaration[1] || "").length,
        options: names.map((name) => ({
          label: `${name}: <${prefixes[name]}>`,
          type: "namespace",
        })),
        validFor: /^[\w.-]*$/,
      };
    }
    const word = context.matchBefore(/[A-Za-z][\w.-]*:?/);
    if (!word || (word.from === word.to && !context.explicit)) return null;
    const previous = word.from > line.from ? line.text[word.from - line.from - 1] : "";
    if (previous && /[<?$"'\w:#]/.test(previous)) return null; // an IRI, variable, string or name
    return {
      from: word.from,
      options: names.map((name) => ({
        label: `${name}:`,
        detail: prefixes[name],
        type: "namespace",
        apply: (view, completion, from, to) => {
          const changes = [{ from, to, insert: `${name}:` }];
          if (!declared(view.state.doc.toString()).has(name)) {
            changes.push({ from: headerEnd(view.state.doc), insert: `PREFIX ${name}: <${prefixes[name]}>\n` });
          }
          const moved = view.state.changes(changes).mapPos(to, 1);
          view.dispatch({ changes, selection: { anchor: moved } });
        },
      })),
      validFor: /^[\w.-]*:?$/,
    };
  };
}

// Replaces `textarea` with an editor; `options.prefixes` ({name: IRI}) feed the completion,
// `options.run` is called on Ctrl+Enter, `options.label` names the editor for screen readers.
function enhance(textarea, options = {}) {
  const sync = EditorView.updateListener.of((update) => {
    if (update.docChanged) textarea.value = update.state.doc.toString();
  });
  const run = () => {
    if (options.run) options.run();
    return true;
  };
  const view = new EditorView({
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        lineNumbers(),
        history(),
        drawSelection(),
        highlightActiveLine(),
        bracketMatching(),
        closeBrackets(),
        StreamLanguage.define(sparql),
        syntaxHighlighting(classHighlighter),
        autocompletion({ override: [prefixCompletion(options.prefixes || {})] }),
        keymap.of([{ key: "Mod-Enter", run }, indentWithTab, ...completionKeymap, ...historyKeymap, ...defaultKeymap]),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of(options.label ? { "aria-label": options.label } : {}),
        sync,
      ],
    }),
  });
  textarea.insertAdjacentElement("afterend", view.dom);
  textarea.hidden = true;
  textarea.required = false; // a hidden field cannot show why the form will not submit
  return {
    view,
    setValue(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    focus() {
      view.focus();
    },
  };
}

window.LodpubEditor = { enhance };
