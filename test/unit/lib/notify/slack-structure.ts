// What in a Slack payload is not the product's own: Slack's control characters (`<` starts a mention, a channel ping
// or a link; `&` an entity) outside an entity the escaping writes, and terminal or bidi controls. The product makes no
// `<...>` of its own, so any raw `<` or `>` in a mrkdwn text is foreign. slackProblems() is [] for a clean payload.
import type { SlackMessage } from '../../../../lib/notify/slack-message';

const CONTROL_BUT_NEWLINE_AND_TAB = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

function mrkdwnProblems(where: string, text: string): string[] {
  const problems: string[] = [];
  if (/[<>]/.test(text)) problems.push(`${where}: a raw < or >: ${JSON.stringify(text.match(/.{0,20}[<>].{0,20}/s)?.[0])}`);
  if (/&(?!(?:amp|lt|gt);)/.test(text)) problems.push(`${where}: an & that starts no entity`);
  if (CONTROL_BUT_NEWLINE_AND_TAB.test(text)) problems.push(`${where}: a control character`);
  return problems;
}

export function slackProblems(m: SlackMessage): string[] {
  return [
    ...mrkdwnProblems('text', m.text),
    ...m.blocks.flatMap((b, i) => {
      if (b.type === 'section') return mrkdwnProblems(`blocks[${i}]`, b.text.text);
      if (b.type === 'context') return b.elements.flatMap((e) => mrkdwnProblems(`blocks[${i}]`, e.text));
      // A header is plain_text: Slack parses nothing in it, but a bidi override or ESC would still act.
      if (b.type === 'header' && /[\n]/.test(b.text.text)) return [`blocks[${i}] header: a line break`];
      if (b.type === 'header' && CONTROL_BUT_NEWLINE_AND_TAB.test(b.text.text)) return [`blocks[${i}] header: a control character`];
      return [];
    }),
  ];
}

/** Every text Slack shows of a message, one string, for "the name shows as typed" assertions. */
export const allTexts = (m: SlackMessage): string =>
  [m.text, ...m.blocks.flatMap((b) => (b.type === 'header' || b.type === 'section' ? [b.text.text] : b.type === 'context' ? b.elements.map((e) => e.text) : []))].join('\n');
