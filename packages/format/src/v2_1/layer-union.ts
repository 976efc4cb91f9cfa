/**
 * Pages of one column may describe their levels with different layers: each page says only which nulls
 * and empty lists its own rows hold (LanceDB and our writer both decide per page), so a definition level
 * means one thing in one page and another in the next. Example, `List<Int32>`: a page with null items and
 * null lists has layers [NULLABLE_ITEM, NULLABLE_LIST] (1 = null item, 2 = null list); a page without null
 * items has [ALL_VALID_ITEM, NULLABLE_LIST] (1 = null list). Joined as they are, the second page's null
 * lists would read as lists holding a null item, or a page's empty lists as null ones (a wrong value the
 * value count does not catch). So joined pages take the union of their layers, and each page's
 * definition levels are renumbered into it.
 */
import { CorruptDataError } from '@vego/encoding';
import { RepDefLayer } from './layout';
import { definitionCodes, isListLayer, layerHasEmpty as hasEmpty, layerHasNull as hasNull } from './levels';

/**
 * The layers that describe every page of `pages` (each innermost first): per layer, nullable when some
 * page's is, emptyable when some page's is.
 * @throws CorruptDataError when the pages disagree on the number of layers or on which are lists
 */
export function unionLayers(pages: readonly (readonly RepDefLayer[])[], where: string): RepDefLayer[] {
  const first = pages[0]!;
  const out: RepDefLayer[] = [];
  for (let j = 0; j < first.length; j++) {
    const list = isListLayer(first[j]!);
    let nul = false;
    let empty = false;
    for (const layers of pages) {
      if (layers.length !== first.length) throw new CorruptDataError(`${where}: pages disagree on the number of repetition/definition layers`);
      const l = layers[j]!;
      if (isListLayer(l) !== list) throw new CorruptDataError(`${where}: pages disagree on whether layer ${j} is a list`);
      nul ||= hasNull(l);
      empty ||= hasEmpty(l);
    }
    if (!list) out.push(nul ? RepDefLayer.NullableItem : RepDefLayer.AllValidItem);
    else out.push(nul && empty ? RepDefLayer.NullAndEmptyList : nul ? RepDefLayer.NullableList : empty ? RepDefLayer.EmptyableList : RepDefLayer.AllValidList);
  }
  return out;
}

/**
 * `def` (levels under `from`) renumbered to `to` (a union that includes `from`, see {@link unionLayers}):
 * `def` itself when the numbers are the same. A level outside `from`'s codes becomes 0xFFFF, which every
 * union's codes are below, so that the assembly refuses it as it would have refused the original.
 */
export function renumberDefinitions(def: Uint16Array, from: readonly RepDefLayer[], to: readonly RepDefLayer[]): Uint16Array {
  const a = definitionCodes(from);
  const b = definitionCodes(to);
  const map = new Uint16Array(a.count);
  let same = true;
  for (let j = 0; j < from.length; j++) {
    if (a.nullCode[j]! > 0) map[a.nullCode[j]!] = b.nullCode[j]!;
    if (a.emptyCode[j]! > 0) map[a.emptyCode[j]!] = b.emptyCode[j]!;
  }
  for (let c = 0; c < a.count; c++) if (map[c] !== c) same = false;
  if (same) return def;
  const out = new Uint16Array(def.length);
  for (let i = 0; i < def.length; i++) {
    const d = def[i]!;
    out[i] = d < a.count ? map[d]! : 0xffff;
  }
  return out;
}
