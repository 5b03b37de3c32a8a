import { describe, expect, it } from 'vitest';
import { compileRequestTemplate, renderRequest, structuredTemplate, unsendableKey } from './xml-request.ts';

describe('xml request bodies', () => {
  it('repeats the keys section once per key and XML-escapes every key', () => {
    const t = compileRequestTemplate('<ShipmentQuery>{{#keys}}<ORDER_ID>{{key}}</ORDER_ID>{{/keys}}</ShipmentQuery>');
    expect(renderRequest(t, ['O1', `a<b>&"c'`])).toBe(
      '<ShipmentQuery><ORDER_ID>O1</ORDER_ID><ORDER_ID>a&lt;b&gt;&amp;&quot;c&apos;</ORDER_ID></ShipmentQuery>',
    );
  });

  it('builds the structured form with an XML declaration', () => {
    expect(renderRequest(structuredTemplate('Q', 'ID'), ['1', '2'])).toBe('<?xml version="1.0" encoding="UTF-8"?><Q><ID>1</ID><ID>2</ID></Q>');
    expect(() => structuredTemplate('Q', '1bad')).toThrow('element must be an XML element name like "ShipmentQuery", but got "1bad"');
  });

  it('refuses templates without exactly one keys section and one {{key}}, with unknown placeholders, or with a DOCTYPE', () => {
    expect(() => compileRequestTemplate('<Q/>')).toThrow('must contain exactly one {{#keys}}…{{/keys}} section like "<Query>{{#keys}}<ID>{{key}}</ID>{{/keys}}</Query>"; it has 0');
    expect(() => compileRequestTemplate('<Q>{{#keys}}<I/>{{/keys}}</Q>')).toThrow('must use {{key}} exactly once');
    expect(() => compileRequestTemplate('<Q tenant="{{tenant}}">{{#keys}}<I>{{key}}</I>{{/keys}}</Q>')).toThrow('has the unknown placeholder {{tenant}}');
    expect(() => compileRequestTemplate('<!DOCTYPE Q><Q>{{#keys}}<I>{{key}}</I>{{/keys}}</Q>')).toThrow('must not contain a DOCTYPE');
  });

  it('says why a key cannot be sent: empty, control characters, the GET separator', () => {
    expect(unsendableKey('O0000001', ',')).toBeUndefined();
    expect(unsendableKey('tab\tok', undefined)).toBeUndefined();
    expect(unsendableKey('', ',')).toBe('the key is empty');
    expect(unsendableKey('a\u0001b', undefined)).toContain('a character XML cannot carry');
    expect(unsendableKey('a,b', ',')).toBe('the key contains the list separator ","');
    expect(unsendableKey('a,b', undefined)).toBeUndefined();
  });
});
