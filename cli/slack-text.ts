// A Slack Block Kit payload as a terminal shows it: the header, the sections, the context line, indented.
import type { SlackMessage } from '../lib/notify/slack-message';

export function slackAsText(message: SlackMessage, indent = '  '): string[] {
  const lines: string[] = [];
  for (const b of message.blocks) {
    if (b.type === 'header') lines.push(`${indent}${b.text.text}`);
    else if (b.type === 'section') lines.push(...b.text.text.split('\n').map((l) => `${indent}${l}`));
    else if (b.type === 'context') lines.push(...b.elements.map((e) => `${indent}(${e.text})`));
    else lines.push(`${indent}${'-'.repeat(40)}`);
  }
  return lines;
}
