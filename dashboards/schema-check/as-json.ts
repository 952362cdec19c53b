// Grafana's dashboard type as it appears in JSON: string enums become the union of their values.
import type { Dashboard } from '@grafana/schema';

export type { Dashboard };

export type AsJson<T> =
  T extends string ? `${T}`
  : T extends number | boolean | null | undefined ? T
  : T extends ReadonlyArray<infer U> ? Array<AsJson<U>>
  : T extends object ? { [K in keyof T]: AsJson<T[K]> }
  : T;
