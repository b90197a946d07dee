import { describe, expect, it } from 'vitest';
import { row } from '../core/csr.js';
import type { EventLog } from '../core/event-log.js';
import { Rng } from '../core/rng.js';
import { itemKnn } from '../models/recommend/item-knn.js';
import { popularity } from '../models/recommend/popularity.js';
import { evaluate } from './evaluate.js';
import { holdout, leaveLastOut, strongGeneralization, temporal } from './protocols.js';

/** 60 users in two tastes over 40 items, 8 events each, one hour apart, in time order. */
function tastes(): EventLog {
  const rng = new Rng(7);
  const events: [number, number, number][] = [];
  for (let u = 0; u < 60; u++) {
    const base = u % 2 === 0 ? 0 : 20;
    for (let e = 0; e < 8; e++) events.push([u, base + rng.int(20), e * 60 + u]);
  }
  events.sort((a, b) => a[2] - b[2]);
  const T0 = Date.UTC(2025, 0, 1);
  return {
    users: 60,
    items: 40,
    length: events.length,
    user: Uint32Array.from(events, (e) => e[0]),
    item: Uint32Array.from(events, (e) => e[1]),
    weight: new Float32Array(events.length).fill(1),
    time: Float64Array.from(events, (e) => T0 + e[2] * 60_000),
    rating: new Float32Array(events.length).fill(Number.NaN),
  };
}

const trainItems = (split: ReturnType<typeof holdout>, u: number) =>
  new Set(row(split.train.interactions, u).indices);

describe('protocols', () => {
  it('holdout hides a share of each user, never trains on it and excludes what was trained', () => {
    const split = holdout(tastes(), { testFraction: 0.25, seed: 1 });
    expect(split.cases.length).toBeGreaterThan(50);
    for (const c of split.cases) {
      const train = trainItems(split, c.user as number);
      for (const i of c.relevant) expect(train.has(i)).toBe(false);
      expect([...c.exclude]).toEqual([...train].sort((a, b) => a - b));
    }
    expect(holdout(tastes(), { seed: 1 }).cases).toEqual(holdout(tastes(), { seed: 1 }).cases);
  });

  it('temporal trains on the past only and predicts new items after the cut-off', () => {
    const log = tastes();
    const cutoff = log.time[Math.floor(log.length * 0.75)]!;
    const split = temporal(log, { cutoff });
    for (const t of split.train.lastSeen!) expect(t).toBeLessThan(cutoff);
    for (const c of split.cases) {
      const train = trainItems(split, c.user as number);
      for (const i of c.relevant) expect(train.has(i)).toBe(false);
    }
    expect(split.cases.length).toBeGreaterThan(0);
  });

  it('leave-last-out holds out the latest item among sampled negatives the user never touched', () => {
    const log = tastes();
    const split = leaveLastOut(log, { negatives: 10, seed: 3 });
    for (const c of split.cases) {
      const u = c.user as number;
      let last = -1;
      let lastTime = -1;
      for (let k = 0; k < log.length; k++) {
        if (log.user[k] === u && log.time[k]! >= lastTime && !trainItems(split, u).has(log.item[k]!)) {
          last = log.item[k]!;
          lastTime = log.time[k]!;
        }
      }
      expect([...c.relevant]).toEqual([last]);
      expect(c.candidates).toHaveLength(11);
      expect(c.candidates).toContain(last);
    }
  });

  it('strong generalization removes held-out users from training and folds part of them in', () => {
    const split = strongGeneralization(tastes(), { heldoutUsers: 10, seed: 2 });
    expect(split.cases).toHaveLength(10);
    for (const c of split.cases) {
      const input = c.user as { indices: Uint32Array };
      expect(typeof c.user).toBe('object');
      for (const i of c.relevant) expect(input.indices).not.toContain(i);
      for (const i of c.relevant) expect(split.rankable![i]).toBe(1);
    }
    let emptyRows = 0;
    for (let u = 0; u < 60; u++) if (row(split.train.interactions, u).indices.length === 0) emptyRows++;
    expect(emptyRows).toBe(10);
  });
});

describe('evaluate', () => {
  it('reports every metric with an interval, fit time and recommend time, and ranks a real model above popularity', async () => {
    const split = holdout(tastes(), { seed: 4 });
    const [pop, knn] = await evaluate(split, [popularity(), itemKnn({ k: 20 })], { ks: [5, 10] });
    for (const key of [
      'precision@5',
      'recall@10',
      'nrecall@10',
      'ndcg@10',
      'map@5',
      'hitrate@10',
      'mrr',
      'coverage@10',
      'novelty@5',
      'popularity@10',
      'diversity@5',
    ]) {
      expect(knn!.metrics[key]).toBeDefined();
      expect(knn!.metrics[key]!.ci[0]).toBeLessThanOrEqual(knn!.metrics[key]!.mean);
    }
    expect(knn!.metrics['ndcg@10']!.mean).toBeGreaterThan(pop!.metrics['ndcg@10']!.mean);
    expect(knn!.users).toBe(split.cases.length);
    expect(knn!.fitSeconds).toBeGreaterThanOrEqual(0);
    expect(knn!.recommendMs).toBeGreaterThan(0);
    expect(pop!.metrics['coverage@5']!.mean).toBeLessThan(knn!.metrics['coverage@5']!.mean);
  });
});
