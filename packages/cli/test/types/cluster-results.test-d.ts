// What the library's Cluster methods and the CLI's --json documents are typed as: precise, named, exported types.
import { describe, expectTypeOf, test } from 'vitest';
import type {
  Cluster,
  ClusterStatus,
  ConnectionEnv,
  ControlResult,
  DownResult,
  ErrorJson,
  NodeControlJson,
  PromoteJson,
  PromoteResult,
  RejoinJson,
  RejoinMethod,
  RejoinResult,
  RemoveStandbyResult,
  StandbyReport,
  SwitchoverResult,
  UpResult,
  VerifyReport,
  VerifyResult,
} from 'hotstandby';

describe('Cluster methods return named types', () => {
  test('each method resolves to its exported result type', () => {
    expectTypeOf<Cluster['up']>().returns.resolves.toEqualTypeOf<UpResult>();
    expectTypeOf<Cluster['status']>().returns.resolves.toEqualTypeOf<ClusterStatus>();
    expectTypeOf<Cluster['verify']>().returns.resolves.toEqualTypeOf<VerifyResult>();
    expectTypeOf<Cluster['start']>().returns.resolves.toEqualTypeOf<ControlResult[]>();
    expectTypeOf<Cluster['stop']>().returns.resolves.toEqualTypeOf<ControlResult[]>();
    expectTypeOf<Cluster['restart']>().returns.resolves.toEqualTypeOf<ControlResult[]>();
    expectTypeOf<Cluster['addStandby']>().returns.resolves.toEqualTypeOf<UpResult>();
    expectTypeOf<Cluster['rebuildStandby']>().returns.resolves.toEqualTypeOf<UpResult>();
    expectTypeOf<Cluster['removeStandby']>().returns.resolves.toEqualTypeOf<RemoveStandbyResult>();
    expectTypeOf<Cluster['promote']>().returns.resolves.toEqualTypeOf<PromoteResult>();
    expectTypeOf<Cluster['rejoin']>().returns.resolves.toEqualTypeOf<RejoinResult>();
    expectTypeOf<Cluster['switchover']>().returns.resolves.toEqualTypeOf<SwitchoverResult>();
    expectTypeOf<Cluster['scripts']>().returns.resolves.toEqualTypeOf<string[]>();
    expectTypeOf<Cluster['env']>().returns.resolves.toEqualTypeOf<ConnectionEnv>();
    expectTypeOf<Cluster['down']>().returns.resolves.toEqualTypeOf<DownResult>();
  });

  test('verify is the built-in report or a replacement step\'s summary, told apart by "standbys"', () => {
    const narrow = (result: VerifyResult) => ('standbys' in result ? result : undefined);
    expectTypeOf(narrow).returns.toEqualTypeOf<VerifyReport | undefined>();
    expectTypeOf<VerifyReport['standbys']>().toEqualTypeOf<StandbyReport[]>();
    expectTypeOf<VerifyResult['ok']>().toEqualTypeOf<boolean>();
  });

  test('results carry no any', () => {
    expectTypeOf<ControlResult['result']>().toEqualTypeOf<'started' | 'stopped' | 'already running' | 'already stopped' | 'not created'>();
    expectTypeOf<RejoinResult['method']>().toEqualTypeOf<RejoinMethod>();
    expectTypeOf<RejoinMethod>().toEqualTypeOf<'follow' | 'pg_rewind' | 'base-backup'>();
    expectTypeOf<UpResult['steps'][number]['changed']>().toEqualTypeOf<boolean>();
    expectTypeOf<ClusterStatus['nodes'][number]['replayLagBytes']>().toEqualTypeOf<number | null>();
  });
});

describe('--json documents', () => {
  test('extend the library results with what the command was asked', () => {
    expectTypeOf<PromoteJson>().toMatchTypeOf<PromoteResult & { newPrimary: string; warnings: string[] }>();
    expectTypeOf<RejoinJson>().toMatchTypeOf<RejoinResult & { node: string; warnings: string[] }>();
    expectTypeOf<NodeControlJson>().toEqualTypeOf<{ nodes: ControlResult[]; warnings: string[] }>();
  });

  test('an error names its code, where, and fix', () => {
    expectTypeOf<ErrorJson['error']['code']>().toMatchTypeOf<string>();
    expectTypeOf<ErrorJson['error']['fix']>().toEqualTypeOf<string | null>();
    expectTypeOf<ErrorJson['error']['where']['node']>().toEqualTypeOf<string | undefined>();
  });
});
