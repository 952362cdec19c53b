// Grafana's dashboard type as it appears in JSON, with the options of the panel types the boards use.
// - String enums become the union of their values ("absolute" | "percentage"): no JSON literal can be an enum.
// - Panels are a union by `type`, so `options` and `fieldConfig.defaults.custom` are checked against the panel
//   plugin's own schema (top-level options may be left out: Grafana fills in its defaults). A board using another
//   panel type fails here until that type is added below.
import type { Dashboard, FieldConfig, FieldConfigSource, Panel, RowPanel } from '@grafana/schema';
import type * as Stat from '@grafana/schema/dist/esm/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen';
import type * as StateTimeline from '@grafana/schema/dist/esm/raw/composable/statetimeline/panelcfg/x/StateTimelinePanelCfg_types.gen';
import type * as Table from '@grafana/schema/dist/esm/raw/composable/table/panelcfg/x/TablePanelCfg_types.gen';
import type * as TimeSeries from '@grafana/schema/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen';

export type AsJson<T> =
  T extends string ? `${T}`
  : T extends number | boolean | null | undefined ? T
  : T extends ReadonlyArray<infer U> ? Array<AsJson<U>>
  : T extends object ? { [K in keyof T]: AsJson<T[K]> }
  : T;

type PanelOf<Type extends string, Options, Custom> = Omit<Panel, 'type' | 'options' | 'fieldConfig'> & {
  type: Type;
  options?: Partial<Options>;
  fieldConfig?: Omit<FieldConfigSource, 'defaults'> & {
    defaults: Omit<FieldConfig, 'custom'> & { custom?: Partial<Custom> };
  };
};

type TypedPanel =
  | PanelOf<'timeseries', TimeSeries.Options, TimeSeries.FieldConfig>
  | PanelOf<'stat', Stat.Options, Record<string, never>>
  | PanelOf<'table', Table.Options, Table.FieldConfig>
  | PanelOf<'state-timeline', StateTimeline.Options, StateTimeline.FieldConfig>;

type TypedRow = Omit<RowPanel, 'panels'> & { panels: TypedPanel[] };

export type Board = Omit<Dashboard, 'panels'> & { panels?: Array<TypedRow | TypedPanel> };

export type { Dashboard };
