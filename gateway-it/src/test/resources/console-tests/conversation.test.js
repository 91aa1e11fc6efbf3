import { test, equal, ok } from './harness.js';
import { parse, requestView, answerView, render } from '../ui/conversation.js';

test('a cut body is not JSON', () => {
  equal(parse('{"a":1'), null);
  equal(parse(null), null);
  equal(parse('{"a":1}'), { a: 1 });
});

test('chat messages become turns with text, images, tool calls and tool results', () => {
  const view = requestView({
    model: 'gpt-4o', temperature: 0.2, tools: [{ type: 'function', function: { name: 'get_weather' } }],
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'What is this?' },
        { type: 'image_url', image_url: { url: 'https://example.test/cat.png' } }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function',
        function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '18 °C' },
    ],
  }, 'chat_completion');
  equal(view.turns.map((t) => t.role), ['system', 'user', 'assistant', 'tool']);
  equal(view.turns[1].blocks, [{ kind: 'text', text: 'What is this?' },
    { kind: 'image', url: 'https://example.test/cat.png' }]);
  equal(view.turns[2].blocks, [{ kind: 'tool_call', id: 'call_1', name: 'get_weather', args: '{"city":"Paris"}' }]);
  equal(view.turns[3].name, 'call_1');
  equal(view.settings.temperature, '0.2');
  equal(view.settings.tools, 'get_weather');
  ok(!('messages' in view.settings));
});

test('responses input and instructions become turns', () => {
  const view = requestView({ model: 'o3', instructions: 'You are terse.', input: [
    { role: 'user', content: [{ type: 'input_text', text: 'Hi' }] },
    { type: 'function_call_output', call_id: 'c9', output: '{"ok":true}' }] }, 'responses');
  equal(view.turns.map((t) => t.role), ['system', 'user', 'tool']);
  equal(view.turns[1].blocks, [{ kind: 'text', text: 'Hi' }]);
  equal(requestView({ model: 'o3', input: 'Hello' }, 'responses').turns[0].blocks[0].text, 'Hello');
});

test('embeddings and completions show their input', () => {
  equal(requestView({ model: 'e', input: ['a', 'b'] }, 'embedding').turns[0].blocks.length, 2);
  equal(requestView({ model: 'c', prompt: 'Once' }, 'text_completion').turns[0].blocks[0].text, 'Once');
});

test('answers: chat with reasoning and tool calls, responses output, errors', () => {
  const chat = answerView({ choices: [{ index: 0, finish_reason: 'tool_calls', message: { role: 'assistant',
    content: 'Let me look.', reasoning_content: 'They want weather.', tool_calls: [{ id: 'c1',
      function: { name: 'f', arguments: '{}' } }] } }], usage: { total_tokens: 9 } });
  equal(chat.finish, 'tool_calls');
  equal(chat.turns[0].blocks.map((b) => b.kind), ['reasoning', 'text', 'tool_call']);
  equal(chat.usage, { total_tokens: 9 });
  const responses = answerView({ status: 'completed', output: [{ type: 'message', role: 'assistant',
    content: [{ type: 'output_text', text: 'Done.' }] }] });
  equal(responses.turns[0].blocks[0].text, 'Done.');
  equal(responses.finish, 'completed');
  equal(answerView({ error: { message: 'boom' } }).turns[0].role, 'error');
  equal(answerView({ object: 'list', data: [{ embedding: [0.1, 0.2, 0.3] }] }).turns[0].blocks[0].text,
    '1 embedding(s) of 3 dimensions');
  equal(answerView({ something: 'else' }), null);
});

test('rendering writes text as text, never as markup', () => {
  const node = render({ turns: [{ role: 'user', blocks: [{ kind: 'text', text: '<img src=x onerror=alert(1)>' }] }] });
  equal(node.querySelectorAll('img').length, 0);
  ok(node.textContent.includes('<img src=x onerror=alert(1)>'));
  equal(node.querySelector('.turn').className, 'turn role-user');
});
