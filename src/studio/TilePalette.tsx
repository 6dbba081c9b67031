import { useTileRegistry } from '../tiles/registry-context';
import type { TileKind } from '../tiles/tile-kind';
import { PlusIcon, RedoIcon, UndoIcon } from '../ui/icons';
import type { HistoryState } from './canvas-history';

/**
 * The studio's tool rail: one button per registered kind ("Add a tile"; only kinds that
 * work are registered), then undo and redo. Compact, so the canvas keeps the room.
 */
export function TilePalette({
  onAdd,
  disabled = false,
  history,
  onUndo,
  onRedo,
}: {
  onAdd: (kind: TileKind) => void;
  disabled?: boolean;
  history: HistoryState;
  onUndo: () => void;
  onRedo: () => void;
}) {
  const { kinds } = useTileRegistry();
  const mod = isApple() ? '⌘' : 'Ctrl+';
  return (
    <nav className="studio-rail" aria-label="Canvas tools">
      <h2 id="palette-title" className="studio-rail__title">
        Add
      </h2>
      <ul className="studio-rail__list" aria-labelledby="palette-title">
        {kinds.map((kind) => (
          <li key={kind.kind}>
            <button
              type="button"
              className="studio-rail__button"
              disabled={disabled}
              aria-label={`Add ${kind.label.toLowerCase()} tile`}
              aria-describedby={`palette-${kind.kind}-description`}
              onClick={() => onAdd(kind)}
            >
              {kind.Icon ? <kind.Icon className="studio-rail__icon" aria-hidden="true" /> : <PlusIcon className="studio-rail__icon" aria-hidden="true" />}
              <span className="studio-rail__label" aria-hidden="true">
                {kind.label}
              </span>
              <span id={`palette-${kind.kind}-description`} role="tooltip" className="studio-rail__tip">
                <strong>Add {kind.label.toLowerCase()}</strong> {kind.description}
              </span>
            </button>
          </li>
        ))}
      </ul>
      <div className="studio-rail__history" role="group" aria-label="History">
        <button
          type="button"
          className="studio-rail__button"
          disabled={!history.canUndo}
          aria-label={history.undoLabel ? `Undo: ${history.undoLabel}` : 'Undo'}
          aria-keyshortcuts="Control+Z Meta+Z"
          title={`Undo${history.undoLabel ? ` “${history.undoLabel}”` : ''} (${mod}Z)`}
          onClick={onUndo}
        >
          <UndoIcon className="studio-rail__icon" aria-hidden="true" />
          <span className="studio-rail__label" aria-hidden="true">
            Undo
          </span>
        </button>
        <button
          type="button"
          className="studio-rail__button"
          disabled={!history.canRedo}
          aria-label={history.redoLabel ? `Redo: ${history.redoLabel}` : 'Redo'}
          aria-keyshortcuts="Shift+Control+Z Shift+Meta+Z"
          title={`Redo${history.redoLabel ? ` “${history.redoLabel}”` : ''} (Shift+${mod}Z)`}
          onClick={onRedo}
        >
          <RedoIcon className="studio-rail__icon" aria-hidden="true" />
          <span className="studio-rail__label" aria-hidden="true">
            Redo
          </span>
        </button>
      </div>
    </nav>
  );
}

function isApple(): boolean {
  return typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
}
