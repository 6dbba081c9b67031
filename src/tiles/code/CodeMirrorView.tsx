import { Annotation, Compartment, EditorState } from '@codemirror/state';
import { oneDark } from '@codemirror/theme-one-dark';
import { EditorView, keymap } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import { indentWithTab } from '@codemirror/commands';
import { useEffect, useRef } from 'react';
import type { Language } from '../../protocol/code';
import { codeMirrorLanguage } from './codemirror-languages';
import { minimalChange } from './minimal-change';

/** Marks changes that came from outside, so they are not echoed back as edits. */
const remoteChange = Annotation.define<boolean>();

export interface CodeMirrorViewProps {
  value: string;
  language: Language;
  readOnly?: boolean;
  label: string;
  /** Id of a visible hint (e.g. how to leave the editor), read out with the editor. */
  describedBy?: string;
  onChange?: (value: string) => void;
}

/**
 * CodeMirror 6, bundled with the app (never from a CDN) and loaded only with code tiles.
 * The editor owns its document while the host types; a new `value` from outside is applied
 * as a minimal change, so the cursor and scroll position survive remote updates.
 */
export default function CodeMirrorView({ value, language, readOnly = false, label, describedBy, onChange }: CodeMirrorViewProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | undefined>(undefined);
  const languageSlot = useRef(new Compartment());
  const labelSlot = useRef(new Compartment());
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  useEffect(() => {
    const editor = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          basicSetup,
          keymap.of([indentWithTab]),
          oneDark,
          languageSlot.current.of(codeMirrorLanguage[language]()),
          EditorState.readOnly.of(readOnly),
          EditorView.editable.of(!readOnly),
          labelSlot.current.of(EditorView.contentAttributes.of(contentAttributes(label, describedBy))),
          EditorView.updateListener.of((update) => {
            if (update.docChanged && !update.transactions.some((t) => t.annotation(remoteChange))) {
              onChangeRef.current?.(update.state.doc.toString());
            }
          }),
        ],
      }),
    });
    view.current = editor;
    return () => editor.destroy();
    // The editor is made once; value and language changes are applied below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [readOnly]);

  useEffect(() => {
    view.current?.dispatch({ effects: languageSlot.current.reconfigure(codeMirrorLanguage[language]()) });
  }, [language]);

  useEffect(() => {
    view.current?.dispatch({ effects: labelSlot.current.reconfigure(EditorView.contentAttributes.of(contentAttributes(label, describedBy))) });
  }, [label, describedBy]);

  useEffect(() => {
    const editor = view.current;
    if (!editor) return;
    const current = editor.state.doc.toString();
    if (current === value) return;
    const change = minimalChange(current, value);
    editor.dispatch({ changes: change, annotations: remoteChange.of(true) });
  }, [value]);

  return <div ref={host} className="code-mirror" />;
}

function contentAttributes(label: string, describedBy: string | undefined): Record<string, string> {
  return describedBy ? { 'aria-label': label, 'aria-describedby': describedBy } : { 'aria-label': label };
}
