import { type Csr, row, type SparseRow } from '../core/csr.js';
import { IdIndex } from '../core/ids.js';
import { ContentModel } from '../models/recommend/content.js';
import type { Artifact, Fitted } from '../models/recommend/contract.js';
import { loadRecommender } from '../models/recommend/registry.js';
import { TopLists } from '../models/recommend/top-lists.js';
import { type BasketRules, loadBasketRules } from '../models/rules/association-rules.js';
import type { FittedSession } from '../models/session/contract.js';
import { loadSessionModel } from '../models/session/registry.js';
import type { ModelVersions } from '../train/model-versions.js';
import type { BundleManifest } from '../train/pipeline.js';

const EMPTY: SparseRow = { indices: new Uint32Array(0), values: new Float32Array(0) };

/**
 * One trained version, loaded for serving: the models by id, the id maps, and what every shopper
 * did up to the version's cut-off (their interaction rows and which events they had with each
 * item). Immutable; a new training run produces a new bundle and the server swaps the reference.
 */
export class ModelBundle {
  private constructor(
    readonly manifest: BundleManifest,
    readonly users: IdIndex,
    readonly items: IdIndex,
    /** users x items interaction strengths, as the models were fitted on. */
    readonly interactions: Csr,
    /** users x items bit flags: bit b set when the pair had event `manifest.track[b]`. */
    readonly tracked: Csr,
    private readonly models: ReadonlyMap<string, Fitted>,
    /** Association rules over bundle item indices (null: not mined). */
    readonly rules: BasketRules | null,
    /** The session model, over its own item index (null: none). */
    readonly session: { model: FittedSession; items: IdIndex } | null,
    /** Precomputed best items per user of the personalized model, and per item of the similar model. */
    readonly lists: { users: TopLists | null; items: TopLists | null },
  ) {}

  /** Loads a version from disk (every model of its manifest). */
  static load(versions: ModelVersions, version: string): ModelBundle {
    const manifest = versions.manifest<BundleManifest>(version);
    const models = new Map<string, Fitted>();
    for (const m of manifest.models)
      models.set(m.id, loadRecommender(versions.readArtifact(version, m.file)));
    return new ModelBundle(
      manifest,
      IdIndex.from(versions.readJson<string[]>(version, 'users.json')),
      IdIndex.from(versions.readJson<string[]>(version, 'items.json')),
      csrOf(versions.readArtifact(version, 'interactions.bin')),
      csrOf(versions.readArtifact(version, 'tracked.bin')),
      models,
      manifest.rules ? loadBasketRules(versions.readArtifact(version, 'rules.bin')) : null,
      manifest.session
        ? {
            model: loadSessionModel(versions.readArtifact(version, 'session.bin')),
            items: IdIndex.from(versions.readJson<string[]>(version, 'session-items.json')),
          }
        : null,
      {
        users: manifest.candidates?.users ? lists(versions, version, 'candidates-users.bin') : null,
        items: manifest.candidates?.items ? lists(versions, version, 'candidates-items.bin') : null,
      },
    );
  }

  get version(): string {
    return this.manifest.version;
  }

  /** A fitted model by id, if this version has it. */
  model(id: string): Fitted | undefined {
    return this.models.get(id);
  }

  /** The content model, which alone can place items added after training. */
  content(): ContentModel | undefined {
    const m = this.manifest.surfaces.content ? this.models.get(this.manifest.surfaces.content) : undefined;
    return m instanceof ContentModel ? m : undefined;
  }

  /** A shopper's interaction row at the cut-off (empty for shoppers the version never saw). */
  row(user: number | undefined): SparseRow {
    return user === undefined ? EMPTY : row(this.interactions, user);
  }

  /** The bit mask of `tracked` for these event names (names the version did not track are ignored). */
  mask(events: readonly string[]): number {
    let mask = 0;
    for (const e of events) {
      const b = this.manifest.track.indexOf(e);
      if (b >= 0) mask |= 1 << b;
    }
    return mask;
  }
}

function lists(versions: ModelVersions, version: string, file: string): TopLists {
  return TopLists.fromArtifact(versions.readArtifact(version, file));
}

function csrOf(a: Artifact): Csr {
  return {
    rows: Number(a.meta.rows),
    cols: Number(a.meta.cols),
    indptr: a.arrays.indptr as Uint32Array,
    indices: a.arrays.indices as Uint32Array,
    values: a.arrays.values as Float32Array,
  };
}
