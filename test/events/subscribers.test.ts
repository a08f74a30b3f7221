import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Subscribers } from '../../src/events/subscribers';

describe('Subscribers', () => {
  it('tells every listener in the order they subscribed, and reports one that throws without stopping the others', () => {
    const reports: string[] = [];
    const subscribers = new Subscribers<[number]>('test store', (message) => reports.push(message));
    const told: string[] = [];
    subscribers.add((n) => told.push(`first ${n}`));
    subscribers.add(() => {
      throw new Error('broken listener');
    });
    subscribers.add((n) => told.push(`third ${n}`));

    subscribers.notify(7);

    assert.deepEqual(told, ['first 7', 'third 7']);
    assert.deepEqual(reports, ['a subscriber of the test store failed: broken listener']);
  });

  it('removes only the subscription it was given, even for a function subscribed twice', () => {
    const subscribers = new Subscribers<[]>('test store', () => assert.fail('nothing throws'));
    let calls = 0;
    const listener = (): void => {
      calls++;
    };
    const first = subscribers.add(listener);
    subscribers.add(listener);

    first();
    first();
    subscribers.notify();

    assert.equal(calls, 1);
  });

  it('tells a listener added while telling from the next change on', () => {
    const subscribers = new Subscribers<[]>('test store', () => assert.fail('nothing throws'));
    let late = 0;
    subscribers.add(() => {
      subscribers.add(() => {
        late++;
      });
    });

    subscribers.notify();
    assert.equal(late, 0);
    subscribers.notify();
    assert.equal(late, 1);
  });
});
