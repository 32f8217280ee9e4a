/**
 * Request validation against the official Smithy models (sim/model/*.json, extracted by scripts/gen-sim-model.mjs from
 * the AWS models published at https://github.com/aws/api-models-aws): required members, JSON types, lengths, ranges,
 * patterns and enum values. SDK v3 sends requests without checking the Smithy `@required` trait (observed; AWS
 * documents no client-side validation), so the server must.
 */
import { SimError } from './errors';

export interface ModelShape {
  type: string;
  members?: Record<string, { target: string; required?: true }>;
  member?: string;
  key?: string;
  value?: string;
  values?: string[];
  length?: { min?: number; max?: number };
  range?: { min?: number; max?: number };
  pattern?: string;
}

export interface ServiceModel {
  service: string;
  operations: Record<string, { input: string | null; errors: string[]; paginated: unknown }>;
  shapes: Record<string, ModelShape>;
}

export interface ValidationFailure {
  /** `SerializationException` for a wrong JSON type; a missing required member; else a constraint violation. */
  kind: 'type' | 'missing' | 'constraint';
  message: string;
  /** The top-level input member at fault, e.g. `InsightSelectors`. */
  member: string;
  /**
   * Which constraint failed, in the words of Organizations' `InvalidInputExceptionReason` enum
   * (`com.amazonaws.organizations#InvalidInputExceptionReason`): INPUT_REQUIRED, MIN_/MAX_LENGTH_EXCEEDED,
   * MIN_/MAX_VALUE_EXCEEDED, INVALID_PATTERN, INVALID_ENUM.
   */
  reason?: string;
}

/** A failure with the full path of the value at fault, e.g. `InsightSelectors.1.InsightType`. */
type Failure = Omit<ValidationFailure, 'member'> & { path: string };

const PRIMITIVE: Record<string, (v: unknown) => boolean> = {
  string: (v) => typeof v === 'string',
  enum: (v) => typeof v === 'string',
  boolean: (v) => typeof v === 'boolean',
  integer: (v) => typeof v === 'number' && Number.isInteger(v),
  long: (v) => typeof v === 'number' && Number.isInteger(v),
  double: (v) => typeof v === 'number',
  float: (v) => typeof v === 'number',
  timestamp: (v) => typeof v === 'number' || typeof v === 'string',
  blob: (v) => typeof v === 'string',
  structure: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  union: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  list: (v) => Array.isArray(v),
  map: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
};

/** Returns the first problem with `value` as an instance of `shapeName`, or undefined. Null members count as absent. */
export function validateShape(model: ServiceModel, shapeName: string, value: unknown, path: string): ValidationFailure | undefined {
  const failure = check(model, shapeName, value, path);
  return failure && { kind: failure.kind, message: failure.message, member: failure.path.split('.')[0]!, ...(failure.reason && { reason: failure.reason }) };
}

function check(model: ServiceModel, shapeName: string, value: unknown, path: string): Failure | undefined {
  const shape = shapeName.startsWith('smithy.api#') ? { type: shapeName.slice(11).toLowerCase() } : model.shapes[shapeName];
  if (!shape) return undefined;
  const isType = PRIMITIVE[shape.type];
  if (isType && !isType(value)) return { kind: 'type', path, message: `${path}: expected ${shape.type}, got ${Array.isArray(value) ? 'array' : typeof value}` };
  if (shape.type === 'structure' || shape.type === 'union') {
    const obj = value as Record<string, unknown>;
    for (const [name, m] of Object.entries(shape.members ?? {})) {
      const v = obj[name];
      if (v === undefined || v === null) {
        if (m.required) return { kind: 'missing', reason: 'INPUT_REQUIRED', path: path ? `${path}.${name}` : name, message: `1 validation error detected: Value null at '${path ? `${path}.` : ''}${name}' failed to satisfy constraint: Member must not be null` };
        continue;
      }
      const problem = check(model, m.target, v, path ? `${path}.${name}` : name);
      if (problem) return problem;
    }
    return undefined;
  }
  if (shape.type === 'list') {
    const list = value as unknown[];
    const lengthProblem = checkLength(shape, list.length, path);
    if (lengthProblem) return lengthProblem;
    for (let i = 0; i < list.length; i++) {
      const problem = check(model, shape.member!, list[i], `${path}.${i + 1}`);
      if (problem) return problem;
    }
    return undefined;
  }
  if (shape.type === 'map') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const problem = check(model, shape.value!, v, `${path}.${k}`);
      if (problem) return problem;
    }
    return undefined;
  }
  if (shape.type === 'string' || shape.type === 'enum') {
    const s = value as string;
    const lengthProblem = checkLength(shape, s.length, path);
    if (lengthProblem) return lengthProblem;
    if (shape.pattern && !compiled(shape.pattern).test(s))
      return { kind: 'constraint', reason: 'INVALID_PATTERN', path, message: `1 validation error detected: Value '${s}' at '${path}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${shape.pattern}` };
    if (shape.type === 'enum' && shape.values && !shape.values.includes(s))
      return { kind: 'constraint', reason: 'INVALID_ENUM', path, message: `1 validation error detected: Value '${s}' at '${path}' failed to satisfy constraint: Member must satisfy enum value set: [${shape.values.join(', ')}]` };
    return undefined;
  }
  if (shape.range && typeof value === 'number') {
    const { min, max } = shape.range;
    if ((min !== undefined && value < min) || (max !== undefined && value > max))
      return { kind: 'constraint', reason: min !== undefined && value < min ? 'MIN_VALUE_EXCEEDED' : 'MAX_VALUE_EXCEEDED', path, message: `1 validation error detected: Value '${value}' at '${path}' failed to satisfy constraint: Member must have value between ${min ?? '-inf'} and ${max ?? 'inf'}` };
  }
  return undefined;
}

const patterns = new Map<string, RegExp>();
function compiled(pattern: string): RegExp {
  let re = patterns.get(pattern);
  if (!re) patterns.set(pattern, (re = new RegExp(pattern, 'u')));
  return re;
}

function checkLength(shape: ModelShape, length: number, path: string): Failure | undefined {
  if (!shape.length) return undefined;
  const { min, max } = shape.length;
  if ((min !== undefined && length < min) || (max !== undefined && length > max))
    return { kind: 'constraint', reason: min !== undefined && length < min ? 'MIN_LENGTH_EXCEEDED' : 'MAX_LENGTH_EXCEEDED', path, message: `1 validation error detected: Value at '${path}' failed to satisfy constraint: Member must have length between ${min ?? 0} and ${max ?? 'inf'}` };
  return undefined;
}

/**
 * The error a service returns for a request its model rejects: a JSON type mismatch is a SerializationException
 * (awsJson1_1); a constraint violation is the operation's own modeled error for that member where there is one (the
 * model documents InvalidInsightSelectorsException for "the formatting or syntax of the InsightSelectors ... or the
 * specified InsightType", InvalidEventSelectorsException for selectors, InvalidMaxResults/NextToken for paging),
 * else InvalidParameterException where modeled (CloudTrail), InvalidInputException (Organizations), ValidationError
 * (STS), else ValidationException. Exact codes per case are UNVERIFIED (AWS documents
 * none per case): these are the most plausible.
 */
const MEMBER_ERRORS: Record<string, string> = {
  InsightSelectors: 'InvalidInsightSelectorsException',
  EventSelectors: 'InvalidEventSelectorsException',
  AdvancedEventSelectors: 'InvalidEventSelectorsException',
  MaxResults: 'InvalidMaxResultsException',
  NextToken: 'InvalidNextTokenException',
  TrailName: 'InvalidTrailNameException',
  Name: 'InvalidTrailNameException',
  TagsList: 'InvalidTagParameterException',
  LookupAttributes: 'InvalidLookupAttributesException',
  EventCategory: 'InvalidEventCategoryException',
};

export function validationError(model: ServiceModel, operation: string, failure: ValidationFailure): SimError {
  if (failure.kind === 'type') return new SimError('SerializationException', failure.message);
  if (model.service === 'sts') return new SimError('ValidationError', failure.message);
  // Reason only from the documented enum (`com.amazonaws.organizations#InvalidInputExceptionReason`).
  if (model.service === 'organizations') return new SimError('InvalidInputException', failure.message, 400, { Reason: failure.reason ?? 'INVALID_ENUM' });
  const errors = model.operations[operation]?.errors ?? [];
  const specific = MEMBER_ERRORS[failure.member];
  const generic = errors.includes('InvalidParameterException') ? 'InvalidParameterException' : undefined;
  // A missing member is a parameter problem first; a malformed one is the member's own error first.
  const order = failure.kind === 'missing' ? [generic, specific] : [specific, generic];
  const code = order.find((c) => c !== undefined && errors.includes(c)) ?? 'ValidationException';
  return new SimError(code, failure.message);
}
