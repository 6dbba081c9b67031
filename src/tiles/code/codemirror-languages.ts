import { cpp } from '@codemirror/lang-cpp';
import { java } from '@codemirror/lang-java';
import { javascript } from '@codemirror/lang-javascript';
import { python } from '@codemirror/lang-python';
import { StreamLanguage } from '@codemirror/language';
import { csharp } from '@codemirror/legacy-modes/mode/clike';
import type { Extension } from '@codemirror/state';
import type { Language } from '../../protocol/code';

/** Syntax support per executor language; C# has no Lezer grammar, so it uses the classic mode. */
export const codeMirrorLanguage: Record<Language, () => Extension> = {
  python: () => python(),
  javascript: () => javascript(),
  typescript: () => javascript({ typescript: true }),
  java: () => java(),
  cpp: () => cpp(),
  csharp: () => StreamLanguage.define(csharp),
};
