// The PromQL editor's CodeMirror: loaded on demand (its own chunk), only by PromqlEditor.vue.
import {
  autocompletion,
  closeBrackets,
  closeBracketsKeymap,
  closeCompletion,
  completionStatus,
} from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, insertNewlineAndIndent } from '@codemirror/commands';
import { bracketMatching, HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { lintKeymap } from '@codemirror/lint';
import { Compartment, EditorState, Prec } from '@codemirror/state';
import { EditorView, keymap, placeholder } from '@codemirror/view';
import { tags } from '@lezer/highlight';
import { PromQLExtension } from '@prometheus-io/codemirror-promql';
import { sessionFetch } from '../api/http.js';
import { PROMETHEUS_URL } from '../api/prometheus.js';

// Colours readable on the light and the dark theme alike.
const highlight = HighlightStyle.define([
  { tag: tags.keyword, color: '#c33fbf' },
  { tag: tags.function(tags.variableName), color: '#2a7be0' },
  { tag: tags.labelName, color: '#d0822a' },
  { tag: tags.string, color: '#2f9e5b' },
  { tag: tags.number, color: '#1c9aa8' },
  { tag: tags.operator, color: '#c33fbf' },
  { tag: tags.comment, color: '#8a8a8a', fontStyle: 'italic' },
  { tag: tags.invalid, color: '#d03050' },
]);

function theme(dark: boolean) {
  return EditorView.theme(
    {
      '&': { fontSize: '13px', border: '1px solid rgba(128,128,128,0.35)', borderRadius: '3px' },
      '&.cm-focused': { outline: 'none', borderColor: '#36ad6a' },
      '.cm-content': { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace', padding: '5px 0' },
      '.cm-tooltip.cm-tooltip-autocomplete > ul': { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace' },
      '.cm-completionDetail': { opacity: 0.6, marginLeft: '8px' },
    },
    { dark },
  );
}

/** The one PromQL language service of the console: completion from the tenant's series over `/prometheus`. */
let shared: PromQLExtension | null = null;
function promql(): PromQLExtension {
  shared ??= new PromQLExtension().setComplete({
    remote: {
      url: PROMETHEUS_URL,
      // The console's credentials (bearer token and tenant) on every completion request.
      fetchFn: (input, init) => sessionFetch(typeof input === 'string' ? input : input.url, init),
      // GET keeps the requests the same for every server (POST of /labels and /series is optional there).
      httpMethod: 'GET',
      lookbackInterval: 12 * 60 * 60 * 1000,
      cache: { maxAge: 60_000 },
    },
  });
  return shared;
}

export interface PromqlEditorHandle {
  setDoc(text: string): void;
  setDark(dark: boolean): void;
  focus(): void;
  destroy(): void;
}

export interface PromqlEditorOptions {
  doc: string;
  dark: boolean;
  placeholder?: string;
  onChange(text: string): void;
  /** Enter (outside a completion list); Shift+Enter inserts a newline, as in Prometheus' UI. */
  onRun(): void;
}

export function createPromqlEditor(parent: HTMLElement, opts: PromqlEditorOptions): PromqlEditorHandle {
  const themeSlot = new Compartment();
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: opts.doc,
      extensions: [
        history(),
        closeBrackets(),
        bracketMatching(),
        autocompletion({ activateOnTyping: true }),
        syntaxHighlighting(highlight),
        EditorView.lineWrapping,
        placeholder(opts.placeholder ?? 'PromQL expression'),
        Prec.high(
          keymap.of([
            { key: 'Enter', run: () => (opts.onRun(), true) },
            { key: 'Shift-Enter', run: insertNewlineAndIndent },
          ]),
        ),
        keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...lintKeymap]),
        themeSlot.of(theme(opts.dark)),
        promql().asExtension(),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) opts.onChange(u.state.doc.toString());
          // Metric names from the server can arrive after the user moved on: no list for an editor left behind.
          if (!u.view.hasFocus && completionStatus(u.state) !== null) setTimeout(() => closeCompletion(u.view));
        }),
        EditorView.contentAttributes.of({ 'aria-label': 'PromQL expression', 'data-test': 'promql-input' }),
      ],
    }),
  });
  return {
    setDoc(text) {
      if (text !== view.state.doc.toString())
        view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    setDark(dark) {
      view.dispatch({ effects: themeSlot.reconfigure(theme(dark)) });
    },
    focus: () => view.focus(),
    destroy: () => view.destroy(),
  };
}
