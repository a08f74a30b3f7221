import { median, percentile } from './stats';

/** A figure over the rounds: its median, and the 10th and 90th percentiles as its spread. */
export interface Spread {
  readonly median: number;
  readonly p10: number;
  readonly p90: number;
}

/** The median and the p10–p90 spread of `values`. */
export function spreadOf(values: readonly number[]): Spread {
  return { median: median(values), p10: percentile(values, 10), p90: percentile(values, 90) };
}

/** What a variant adds over its baseline, each round against the same round's baseline. */
export interface Added {
  /** CPU µs per request the variant adds, per round. */
  readonly micros: Spread;
  /** The baseline's CPU per request over the variant's, per round: 1 costs nothing, 0.97 is 3 % slower. */
  readonly ratio: Spread;
}

/**
 * Pairs the rounds of a variant with those of its baseline (both lists of CPU µs per
 * request, round by round), so that a round slowed by a neighbour slows both sides.
 */
export function addedOver(variant: readonly number[], baseline: readonly number[]): Added {
  if (variant.length !== baseline.length || variant.length === 0) {
    throw new RangeError(`a variant and its baseline need the same rounds, got ${variant.length} and ${baseline.length}`);
  }
  return {
    micros: spreadOf(variant.map((micros, round) => micros - baseline[round]!)),
    ratio: spreadOf(variant.map((micros, round) => baseline[round]! / micros)),
  };
}

/**
 * The order of the variants in round `round`: as listed in even rounds, reversed in odd
 * ones, so that no variant always runs right after the same neighbour or first.
 */
export function roundOrder<T>(variants: readonly T[], round: number): readonly T[] {
  return round % 2 === 0 ? variants : [...variants].reverse();
}

/** `median (p10–p90)` with `digits` decimals. */
export function spreadText(spread: Spread, digits: number): string {
  return `${spread.median.toFixed(digits)} (${spread.p10.toFixed(digits)} – ${spread.p90.toFixed(digits)})`;
}
