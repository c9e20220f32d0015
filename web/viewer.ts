/**
 * The 3-D structure viewer: a thin wrapper over 3Dmol.js (loaded as a classic script, global `$3Dmol`).
 * Draws atoms as spheres coloured by element, the unit cell from the structure's cell rows, and updates positions
 * in place for MD frames. Falls back to a message when WebGL is unavailable.
 */
import type { FrameView } from './protocol.js';

type ThreeDmol = typeof import('3dmol');
type GLViewer = ReturnType<ThreeDmol['createViewer']>;
type GLModel = ReturnType<GLViewer['addModel']>;

declare global {
  interface Window {
    $3Dmol?: ThreeDmol;
  }
}

/** Covalent-ish display radii (Å) for a few elements; others 0.8. */
const RADIUS: Record<string, number> = { H: 0.35, Li: 0.7, Na: 0.95, K: 1.2, Mg: 0.7, Zr: 0.8, O: 0.65, F: 0.65, Cl: 1.1 };

export class StructureViewer {
  private viewer: GLViewer | null = null;
  private model: GLModel | null = null;
  private frame: FrameView | null = null;
  private onPick: ((atom: number) => void) | null = null;
  private highlight: number | null = null;

  constructor(private readonly host: HTMLElement) {
    const lib = window.$3Dmol;
    try {
      if (!lib) throw new Error('3Dmol.js did not load');
      this.viewer = lib.createViewer(host, { backgroundColor: 'white', antialias: true } as never);
    } catch (e) {
      host.classList.add('viewer-fallback');
      host.textContent = `3-D view unavailable (${e instanceof Error ? e.message : String(e)}; WebGL needed).`;
    }
  }

  get available(): boolean {
    return this.viewer !== null;
  }

  /** Called with the atom index when the user clicks an atom. */
  setPickHandler(fn: (atom: number) => void): void {
    this.onPick = fn;
  }

  /** Show a structure (replaces the previous one) and frame it. */
  show(f: FrameView, highlight: number | null = null): void {
    this.frame = f;
    const v = this.viewer;
    if (!v) return;
    v.removeAllModels();
    v.removeAllShapes();
    v.removeAllLabels();
    const atoms = f.symbols.map((elem, i) => ({ elem, serial: i, index: i, x: f.positions[3 * i], y: f.positions[3 * i + 1], z: f.positions[3 * i + 2] }));
    const m = v.addModel();
    m.addAtoms(atoms as never);
    this.model = m;
    this.style(highlight);
    const lib = window.$3Dmol!;
    if (f.cell.some((x) => x !== 0)) {
      const c = f.cell; // rows = lattice vectors; 3Dmol wants them as columns
      m.setCrystMatrix(new lib.Matrix3(c[0], c[3], c[6], c[1], c[4], c[7], c[2], c[5], c[8]));
      v.addUnitCell(m, { box: { color: '#555' }, alabel: 'a', blabel: 'b', clabel: 'c' } as never);
    }
    v.setClickable({}, true, ((atom: { index: number }) => this.onPick?.(atom.index)) as never);
    v.resize(); // the host may have changed size since the viewer was created
    v.zoomTo();
    v.render();
  }

  /** Style: spheres by element (Jmol colours); the highlighted atom drawn larger and yellow. */
  style(highlight: number | null): void {
    this.highlight = highlight;
    const v = this.viewer, m = this.model, f = this.frame;
    if (!v || !m || !f) return;
    m.setStyle({}, {});
    for (const sym of new Set(f.symbols)) m.setStyle({ elem: sym } as never, { sphere: { radius: RADIUS[sym] ?? 0.8, colorscheme: 'Jmol' } } as never);
    if (highlight !== null) m.setStyle({ index: highlight } as never, { sphere: { radius: 1.35 * (RADIUS[f.symbols[highlight]] ?? 0.8), color: '#ffd400' } } as never);
    v.render();
  }

  /** Move the atoms to new positions (MD frame) without re-framing the view. */
  update(positions: Float64Array): void {
    const v = this.viewer, m = this.model;
    if (!v || !m) return;
    const atoms = m.selectedAtoms({}) as { index: number; x: number; y: number; z: number }[];
    for (const a of atoms) {
      a.x = positions[3 * a.index];
      a.y = positions[3 * a.index + 1];
      a.z = positions[3 * a.index + 2];
    }
    this.style(this.highlight); // re-styling makes 3Dmol rebuild the geometry from the new coordinates
  }

  resize(): void {
    this.viewer?.resize();
  }
}
