/** NodeHeaders and NodeResponse: the read side of the Fetch standard that nodeFetch answers with. */
import { describe, expect, it } from 'vitest';
import { NodeHeaders, NodeResponse } from './node-response.js';

function streamOf(...parts: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(ctl) {
      for (const p of parts) ctl.enqueue(new TextEncoder().encode(p));
      ctl.close();
    },
  });
}

const answer = (body: ReadableStream<Uint8Array> | null, status = 200, headers = new NodeHeaders()): NodeResponse =>
  new NodeResponse(body, { status, statusText: 'OK', headers, url: 'http://127.0.0.1/x', redirected: false });

describe('NodeHeaders', () => {
  it('matches names case-insensitively, joins repeated values, keeps Set-Cookie apart and iterates sorted', () => {
    const h = new NodeHeaders([['X-B', '1'], ['x-b', '2'], ['Set-Cookie', 'a=1'], ['set-cookie', 'b=2'], ['A', 'z']]);
    expect(h.get('x-B')).toBe('1, 2');
    expect(h.has('X-b')).toBe(true);
    expect(h.get('missing')).toBeNull();
    expect(h.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect([...h]).toEqual([['a', 'z'], ['set-cookie', 'a=1'], ['set-cookie', 'b=2'], ['x-b', '1, 2']]);
    h.set('X-B', '3');
    h.delete('A');
    expect([...h.keys()]).toEqual(['set-cookie', 'set-cookie', 'x-b']);
    expect([...h.values()].at(-1)).toBe('3');
  });

  it('is made from a record (with array values), pairs, or another Headers, and is accepted by Headers', () => {
    expect([...new NodeHeaders({ 'X-A': '1', 'X-B': ['2', '3'] })]).toEqual([['x-a', '1'], ['x-b', '2, 3']]);
    const fromStd = new NodeHeaders(new Headers({ Authorization: 'Bearer t' }));
    expect(fromStd.get('authorization')).toBe('Bearer t');
    expect(new Headers(new NodeHeaders({ 'X-A': '1' })).get('x-a')).toBe('1');
  });
});

describe('NodeResponse', () => {
  it('reads its body once, as text, JSON, bytes or a blob', async () => {
    const res = answer(streamOf('{"a":', '1}'));
    expect(res.ok).toBe(true);
    expect(res.bodyUsed).toBe(false);
    expect(await res.json()).toEqual({ a: 1 });
    expect(res.bodyUsed).toBe(true);
    await expect(res.text()).rejects.toThrow(TypeError);
    expect(new TextDecoder().decode(await answer(streamOf('ab', 'c')).bytes())).toBe('abc');
    expect((await answer(streamOf('abcd')).arrayBuffer()).byteLength).toBe(4);
    expect(await (await answer(streamOf('x'), 200, new NodeHeaders({ 'content-type': 'text/plain' })).blob()).text()).toBe('x');
    await expect(answer(streamOf('{')).json()).rejects.toThrow(SyntaxError);
    expect(await answer(null, 204).text()).toBe('');
    expect(answer(null, 404).ok).toBe(false);
  });

  it('clones into two readable bodies, and refuses once the body was read', async () => {
    const res = answer(streamOf('same'));
    const copy = res.clone();
    expect(await copy.text()).toBe('same');
    expect(await res.text()).toBe('same');
    expect(() => res.clone()).toThrow(TypeError);
    const reading = answer(streamOf('x'));
    reading.body!.getReader();
    expect(reading.bodyUsed).toBe(true);
  });
});
