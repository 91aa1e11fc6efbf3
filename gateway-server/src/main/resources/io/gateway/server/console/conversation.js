// Captured requests and answers as a person reads them: chat messages as a conversation (who said
// what, images, tool calls and their results), not only as raw JSON. requestView() and answerView()
// are pure (tested in console-tests); render() builds the DOM.

import { h } from './dom.js';

/** Parses a captured body; null when it is absent or cut off (not JSON). */
export function parse(text) {
  if (!text) {
    return null;
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    return null;
  }
}

function textBlock(text) {
  return { kind: 'text', text: String(text) };
}

function partsOf(content) {
  if (content === null || content === undefined) {
    return [];
  }
  if (typeof content === 'string') {
    return content ? [textBlock(content)] : [];
  }
  if (!Array.isArray(content)) {
    return [{ kind: 'json', value: content }];
  }
  return content.map((part) => {
    if (typeof part === 'string') {
      return textBlock(part);
    }
    switch (part.type) {
      case 'text':
      case 'input_text':
      case 'output_text':
        return textBlock(part.text ?? '');
      case 'image_url':
        return { kind: 'image', url: typeof part.image_url === 'string' ? part.image_url : part.image_url?.url };
      case 'input_image':
        return { kind: 'image', url: part.image_url || part.file_id || '' };
      case 'refusal':
        return { kind: 'refusal', text: part.refusal ?? '' };
      default:
        return { kind: 'json', value: part };
    }
  });
}

function toolCall(call) {
  const fn = call.function || {};
  return { kind: 'tool_call', id: call.id || call.call_id || null, name: fn.name || call.name || '?',
    args: fn.arguments ?? call.arguments ?? '' };
}

function chatTurn(message) {
  const blocks = partsOf(message.content);
  if (message.reasoning_content) {
    blocks.unshift({ kind: 'reasoning', text: message.reasoning_content });
  }
  for (const call of message.tool_calls || []) {
    blocks.push(toolCall(call));
  }
  if (message.role === 'tool') {
    return { role: 'tool', name: message.tool_call_id || null, blocks };
  }
  return { role: message.role || 'user', name: message.name || null, blocks };
}

function responsesItem(item) {
  if (typeof item === 'string') {
    return { role: 'user', blocks: [textBlock(item)] };
  }
  switch (item.type) {
    case 'function_call':
      return { role: 'assistant', blocks: [toolCall(item)] };
    case 'function_call_output':
      return { role: 'tool', name: item.call_id || null, blocks: partsOf(typeof item.output === 'string'
        ? item.output : JSON.stringify(item.output)) };
    case 'reasoning':
      return { role: 'assistant', blocks: (item.summary || []).map((s) => ({ kind: 'reasoning', text: s.text })) };
    case 'message':
    case undefined:
      return { role: item.role || 'user', blocks: partsOf(item.content) };
    default:
      return { role: 'other', blocks: [{ kind: 'json', value: item }] };
  }
}

/**
 * What the client asked: {turns: [{role, name, blocks}], settings: {name: value}}. Blocks are text,
 * image, tool_call, reasoning, refusal or json (anything else, shown raw).
 *
 * @param body      the parsed request body
 * @param operation the entry's operation (chat_completion, responses, text_completion, embedding, …)
 */
export function requestView(body, operation) {
  if (!body || typeof body !== 'object') {
    return null;
  }
  const turns = [];
  if (typeof body.instructions === 'string' && body.instructions) {
    turns.push({ role: 'system', blocks: [textBlock(body.instructions)] });
  }
  if (Array.isArray(body.messages)) {
    turns.push(...body.messages.map(chatTurn));
  } else if (operation === 'responses' && body.input !== undefined) {
    turns.push(...(Array.isArray(body.input) ? body.input : [body.input]).map(responsesItem));
  } else if (body.prompt !== undefined) {
    const prompts = Array.isArray(body.prompt) ? body.prompt : [body.prompt];
    turns.push({ role: 'user', blocks: prompts.map((p) => textBlock(typeof p === 'string' ? p : JSON.stringify(p))) });
  } else if (body.input !== undefined) {
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    turns.push({ role: 'input', blocks: inputs.map((i) => textBlock(typeof i === 'string' ? i : JSON.stringify(i))) });
  }
  const settings = {};
  for (const [name, value] of Object.entries(body)) {
    if (!['messages', 'input', 'prompt', 'instructions', 'tools'].includes(name)) {
      settings[name] = typeof value === 'object' ? JSON.stringify(value) : String(value);
    }
  }
  if (Array.isArray(body.tools)) {
    settings.tools = body.tools.map((t) => t.function?.name || t.name || t.type).join(', ');
  }
  return { turns, settings };
}

/** What the answer said, as turns (see requestView), plus its finish reason and usage when given. */
export function answerView(body) {
  if (!body || typeof body !== 'object') {
    return null;
  }
  if (body.error) {
    return { turns: [{ role: 'error', blocks: [textBlock(body.error.message || JSON.stringify(body.error))] }] };
  }
  const turns = [];
  let finish = null;
  if (Array.isArray(body.choices)) {
    for (const choice of body.choices) {
      if (choice.message) {
        turns.push(chatTurn({ role: 'assistant', ...choice.message }));
      } else if (choice.text !== undefined) {
        turns.push({ role: 'assistant', blocks: [textBlock(choice.text)] });
      }
      finish = choice.finish_reason ?? finish;
    }
  } else if (Array.isArray(body.output)) {
    turns.push(...body.output.map(responsesItem).map((t) => ({ ...t, role: t.role === 'user' ? 'assistant'
      : t.role })));
    finish = body.status || null;
  } else if (typeof body.output_text === 'string') {
    turns.push({ role: 'assistant', blocks: [textBlock(body.output_text)] });
  } else if (Array.isArray(body.data)) {
    const first = body.data[0] || {};
    const what = Array.isArray(first.embedding) ? `${body.data.length} embedding(s) of ${first.embedding.length} `
      + 'dimensions' : `${body.data.length} item(s)`;
    turns.push({ role: 'assistant', blocks: [textBlock(what)] });
  } else {
    return null;
  }
  return { turns, finish, usage: body.usage || null };
}

function renderBlock(block) {
  switch (block.kind) {
    case 'text':
      return h('div', { class: 'text' }, block.text);
    case 'reasoning':
      return h('details', { class: 'reasoning' }, h('summary', {}, 'reasoning'), h('div', { class: 'text' },
        block.text));
    case 'refusal':
      return h('div', { class: 'text refusal' }, block.text);
    case 'image':
      return h('div', { class: 'image' }, String(block.url || '').startsWith('data:')
        ? `image (${block.url.length.toLocaleString('en-US')} characters of data)` : `image ${block.url}`);
    case 'tool_call': {
      let args = block.args;
      try {
        args = JSON.stringify(JSON.parse(block.args), null, 2);
      } catch (e) {
        // not JSON (or cut): as it came
      }
      return h('div', { class: 'tool-call' }, h('div', { class: 'tool-name' }, `→ ${block.name}`,
        block.id ? h('span', { class: 'muted' }, ` ${block.id}`) : null), h('pre', {}, args));
    }
    default:
      return h('pre', { class: 'json' }, JSON.stringify(block.value, null, 2));
  }
}

/** A conversation as chat bubbles. */
export function render(view) {
  return h('div', { class: 'conversation' }, view.turns.map((turn) => h('div', { class: `turn role-${turn.role}` },
    h('div', { class: 'role' }, turn.role, turn.name ? h('span', { class: 'muted' }, ` ${turn.name}`) : null),
    turn.blocks.length ? turn.blocks.map(renderBlock) : h('div', { class: 'muted' }, '(empty)'))));
}
