import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { NestedStack, Stack, type App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';

/**
 * Synthesizes an Amplify backend in-process, offline, the way `ampx` does: the backend module
 * reads its deployment type from CDK context, so the context and any STREAMCANVAS_* variables
 * are set before the module is imported (dynamically, once per test file; each Vitest file
 * runs in its own worker).
 *
 * Synthesis runs CDK's built-in CloudFormation validation with
 * `@aws-cdk/core:validateAgainstDefaultRules` on, so findings such as a circular dependency
 * between nested stacks (rule F3004, which otherwise is only a warning and fails at deploy time)
 * make `app.synth()` throw. The error is kept, not thrown: the templates are already on disk,
 * so every other assertion still runs, and `synthError`/`violations` say what went wrong.
 *
 * A test file must not statically import a module that reads those variables while it loads
 * (amplify/auth/resource.ts reads STREAMCANVAS_REQUIRE_MFA): static imports run before
 * `beforeAll`, so the backend would see the value from before. Import such modules dynamically.
 *
 * CDK_OUTDIR is deliberately left unset: with it the App also synthesizes again on
 * `beforeExit`, which would throw outside any test when validation fails.
 */

export type DeploymentType = 'sandbox' | 'branch';

/** Environment variables the backend definition reads while it is imported. */
export const synthTimeVariables = [
  'STREAMCANVAS_REQUIRE_MFA',
  'STREAMCANVAS_APP_ORIGINS',
  'STREAMCANVAS_ALARM_EMAIL',
  'AWS_APP_ID',
  'AWS_BRANCH',
  'EXECUTOR_IMAGE_REPOSITORY',
  'EXECUTOR_IMAGE_TAG',
  'EXECUTOR_BUILD_WITH_DOCKER',
  'DECK_CONVERTER_IMAGE_REPOSITORY',
  'DECK_CONVERTER_IMAGE_TAG',
  'DECK_CONVERTER_BUILD_WITH_DOCKER',
  'STREAMCANVAS_EXECUTOR_RESERVED_CONCURRENCY',
  'STREAMCANVAS_EXECUTOR_NETWORK',
  'STREAMCANVAS_SES_FROM',
  'STREAMCANVAS_SES_FROM_NAME',
  'STREAMCANVAS_SES_REPLY_TO',
  'STREAMCANVAS_MEDIA_PROVIDER',
  'STREAMCANVAS_IVS_RECORDING',
  'STREAMCANVAS_SFU_SIGNAL_URL',
  'STREAMCANVAS_SFU_SIGNAL_SECRET',
  'STREAMCANVAS_ICE_SERVERS',
] as const;

export interface SynthOptions {
  deploymentType: DeploymentType;
  /**
   * Variables the backend reads at synth time, e.g. STREAMCANVAS_REQUIRE_MFA. Those not given
   * are unset (see `synthTimeVariables`), so a developer's shell cannot change the result.
   * All are restored after the import.
   */
  env?: Record<string, string | undefined>;
}

export interface CfnTemplate {
  Metadata?: Record<string, unknown>;
  Parameters?: Record<string, unknown>;
  Resources: Record<string, CfnResourceJson>;
  Outputs?: Record<string, { Value: unknown }>;
}

export interface CfnResourceJson {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  DependsOn?: string | string[];
}

export interface StackTemplate {
  /** 'root', or the nested stack's construct id: 'auth', 'data', 'realtime', … */
  name: string;
  stack: Stack;
  json: CfnTemplate;
  template: Template;
  /** Logical id of the nested stack's AWS::CloudFormation::Stack resource in the root template. */
  resourceId?: string;
}

export interface ValidationViolation {
  ruleName: string;
  description: string;
  severity: string;
}

export interface Synthesized<M> {
  module: M;
  root: StackTemplate;
  /** Root first, then every nested stack. */
  stacks: StackTemplate[];
  stack(name: string): StackTemplate;
  /** Findings of CDK's built-in template validation (all severities). */
  violations: ValidationViolation[];
  /** What `app.synth()` threw, if anything (validation errors included). */
  synthError: Error | undefined;
  /** The template and logical id of a construct's CloudFormation resource. */
  locate(construct: IConstruct): { stack: StackTemplate; logicalId: string };
  /** Follows a value across stacks (parameters, nested stack outputs) to where it is defined. */
  resolve(value: unknown, from: StackTemplate): { stack: StackTemplate; value: unknown };
  /**
   * Renders a value to a string, following references across stacks:
   * `${AWS::Region}`, `${Ref:<stack>/<logicalId>}`, `${GetAtt:<stack>/<logicalId>.<attribute>}`.
   */
  render(value: unknown, from: StackTemplate): string;
  cleanup(): void;
}

/** Synthesizes a module that exports an Amplify `backend` (amplify/backend.ts or a fixture). */
export async function synthesize<M extends { backend: { stack: Stack } }>(
  load: () => Promise<M>,
  options: SynthOptions,
): Promise<Synthesized<M>> {
  const env: Record<string, string | undefined> = {
    ...Object.fromEntries(synthTimeVariables.map((name) => [name, undefined])),
    CDK_CONTEXT_JSON: JSON.stringify({
      'amplify-backend-namespace': 'test',
      'amplify-backend-name': 'test',
      'amplify-backend-type': options.deploymentType,
      '@aws-cdk/core:validateAgainstDefaultRules': true,
    }),
    CDK_OUTDIR: undefined,
    ...options.env,
  };
  const module = await withEnv(env, load);

  const rootStack = module.backend.stack;
  const app = rootStack.node.root as App;
  let synthError: Error | undefined;
  try {
    app.synth();
  } catch (error) {
    synthError = error instanceof Error ? error : new Error(String(error));
  }
  const outdir = app.outdir;

  const readTemplate = (stack: Stack, name: string, resourceId?: string): StackTemplate => {
    const file = path.join(outdir, stack.templateFile);
    if (!existsSync(file)) {
      throw new Error(`Synthesis wrote no template for stack ${name} (${file}): ${synthError?.message ?? 'unknown reason'}`);
    }
    const json = JSON.parse(readFileSync(file, 'utf8')) as CfnTemplate;
    // Cycles are reported by the dedicated tests (see `cycleIn`), not by failing every test here.
    const template = Template.fromJSON(json, { skipCyclicalDependenciesCheck: true });
    return { name, stack, json, template, ...(resourceId ? { resourceId } : {}) };
  };
  const cleanup = () => rmSync(outdir, { recursive: true, force: true });
  let root: StackTemplate;
  let nested: StackTemplate[];
  try {
    root = readTemplate(rootStack, 'root');
    nested = rootStack.node.children
      .filter((child): child is NestedStack => child instanceof NestedStack)
      .map((child) => readTemplate(child, child.node.id, rootStack.getLogicalId(child.nestedStackResource as CfnElement)));
  } catch (error) {
    cleanup(); // afterAll gets no handle to clean up when beforeAll fails
    throw error;
  }
  const stacks = [root, ...nested];

  const byStack = new Map(stacks.map((entry) => [entry.stack, entry]));
  const stack = (name: string): StackTemplate => {
    const found = stacks.find((entry) => entry.name === name);
    if (!found) throw new Error(`No stack named ${name}; stacks are ${stacks.map((s) => s.name).join(', ')}.`);
    return found;
  };
  const nestedByResourceId = new Map(nested.map((entry) => [entry.resourceId, entry]));

  const resolve = (value: unknown, from: StackTemplate): { stack: StackTemplate; value: unknown } => {
    const ref = refOf(value);
    if (ref && from.resourceId && from.json.Parameters?.[ref]) {
      const parameters = root.json.Resources[from.resourceId]?.Properties?.Parameters as Record<string, unknown> | undefined;
      if (parameters && ref in parameters) return resolve(parameters[ref], root);
    }
    const getAtt = getAttOf(value);
    if (getAtt && from === root && getAtt.attribute.startsWith('Outputs.')) {
      const target = nestedByResourceId.get(getAtt.logicalId);
      const output = target?.json.Outputs?.[getAtt.attribute.slice('Outputs.'.length)];
      if (target && output) return resolve(output.Value, target);
    }
    return { stack: from, value };
  };

  const render = (value: unknown, from: StackTemplate): string => {
    const { value: v, stack: at } = resolve(value, from);
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
    const ref = refOf(v);
    if (ref) return ref.startsWith('AWS::') ? `\${${ref}}` : `\${Ref:${at.name}/${ref}}`;
    const getAtt = getAttOf(v);
    if (getAtt) return `\${GetAtt:${at.name}/${getAtt.logicalId}.${getAtt.attribute}}`;
    const join = (v as { 'Fn::Join'?: [string, unknown[]] } | null)?.['Fn::Join'];
    if (join) return join[1].map((part) => render(part, at)).join(join[0]);
    throw new Error(`Cannot render ${JSON.stringify(v)} in stack ${at.name}.`);
  };

  const locate = (construct: IConstruct): { stack: StackTemplate; logicalId: string } => {
    const element = (construct.node.defaultChild ?? construct) as CfnElement;
    const owner = byStack.get(Stack.of(element));
    if (!owner) throw new Error(`${construct.node.path} is not in a synthesized stack.`);
    return { stack: owner, logicalId: owner.stack.getLogicalId(element) };
  };

  return {
    module,
    root,
    stacks,
    stack,
    violations: readViolations(path.join(outdir, 'validation-report.json')),
    synthError,
    locate,
    resolve,
    render,
    cleanup,
  };
}

/** StreamCanvas's own backend. */
export function synthesizeBackend(options: SynthOptions) {
  return synthesize(() => import('../../amplify/backend.js'), options);
}

export function refOf(value: unknown): string | undefined {
  const ref = (value as { Ref?: unknown } | null)?.Ref;
  return typeof ref === 'string' ? ref : undefined;
}

export function getAttOf(value: unknown): { logicalId: string; attribute: string } | undefined {
  const getAtt = (value as { 'Fn::GetAtt'?: unknown } | null)?.['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string' && typeof getAtt[1] === 'string') {
    return { logicalId: getAtt[0], attribute: getAtt[1] };
  }
  return undefined;
}

/** The dependency cycle that `Template.fromJSON` finds between a template's resources, if any. */
export function cycleIn(stack: StackTemplate): string | undefined {
  try {
    Template.fromJSON(stack.json);
    return undefined;
  } catch (error) {
    // The first line names the cycle; the rest is the whole template.
    return (error instanceof Error ? error.message : String(error)).split('\n')[0];
  }
}

/** Every resource of a type in a template, as [logicalId, resource]. */
export function resourcesOfType(stack: StackTemplate, type: string): [string, CfnResourceJson][] {
  return Object.entries(stack.json.Resources).filter(([, resource]) => resource.Type === type);
}

async function withEnv<T>(env: Record<string, string | undefined>, run: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  apply(env);
  try {
    return await run();
  } finally {
    apply(saved);
  }
}

function readViolations(reportFile: string): ValidationViolation[] {
  if (!existsSync(reportFile)) return [];
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as {
    pluginReports?: { violations?: ValidationViolation[] }[];
  };
  return (report.pluginReports ?? []).flatMap((plugin) =>
    (plugin.violations ?? []).map(({ ruleName, description, severity }) => ({ ruleName, description, severity })),
  );
}
