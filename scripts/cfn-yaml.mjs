// Parses CloudFormation YAML, short-form intrinsic tags included (!Ref, !GetAtt A.B, !Sub, !If ...), into the
// long form (Ref / Fn::*) CloudFormation itself sees
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference.html).
// Shared by the validators and tests.
import { parse } from 'yaml';

const longName = (n) => (n === 'Ref' || n === 'Condition' ? n : `Fn::${n}`);
const NAMES = ['Ref', 'Condition', 'Base64', 'Cidr', 'FindInMap', 'GetAtt', 'GetAZs', 'ImportValue', 'Join', 'Select', 'Split', 'Sub', 'Transform', 'And', 'Equals', 'If', 'Not', 'Or', 'ToJsonString', 'Length', 'ForEach'];

const customTags = NAMES.flatMap((n) =>
  ['scalar', 'seq', 'map'].map((collection) => ({
    tag: `!${n}`,
    ...(collection === 'scalar' ? {} : { collection }),
    resolve: (v) => {
      const val = typeof v === 'object' && v !== null && typeof v.toJSON === 'function' ? v.toJSON() : v;
      if (n === 'GetAtt' && typeof val === 'string') {
        const i = val.indexOf('.');
        return { [longName(n)]: [val.slice(0, i), val.slice(i + 1)] };
      }
      return { [longName(n)]: val };
    },
  })),
);

/** A template as plain data; throws on YAML errors (with the line) rather than guessing. */
export const parseCfnYaml = (text) => parse(text, { customTags, maxAliasCount: -1 });
