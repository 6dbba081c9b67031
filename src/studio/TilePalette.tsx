import { useTileRegistry } from '../tiles/registry-context';
import type { TileKind } from '../tiles/tile-kind';
import { PlusIcon } from '../ui/icons';

/** "Add a tile": one button per registered kind. Only kinds that work are registered. */
export function TilePalette({ onAdd, disabled = false }: { onAdd: (kind: TileKind) => void; disabled?: boolean }) {
  const { kinds } = useTileRegistry();
  return (
    <section className="palette" aria-labelledby="palette-title">
      <h2 id="palette-title" className="palette__title">
        Add a tile
      </h2>
      <ul className="palette__list">
        {kinds.map((kind) => (
          <li key={kind.kind}>
            <button
              type="button"
              className="palette__item"
              disabled={disabled}
              aria-label={`Add ${kind.label.toLowerCase()} tile`}
              aria-describedby={`palette-${kind.kind}-description`}
              // Warm the editor's chunk while the pointer is on its way.
              onPointerEnter={() => void kind.Editor.preload?.()}
              onFocus={() => void kind.Editor.preload?.()}
              onClick={() => onAdd(kind)}
            >
              <span className="palette__icon">{kind.Icon ? <kind.Icon className="btn__icon" /> : <PlusIcon className="btn__icon" />}</span>
              <span className="palette__text">
                <span className="palette__label">{kind.label}</span>
                <span id={`palette-${kind.kind}-description`} className="palette__description">
                  {kind.description}
                </span>
              </span>
              <PlusIcon className="btn__icon palette__plus" />
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
